using System.Text.RegularExpressions;

namespace Autograd.Distributed.Tests;

// Each launch runs one worker scenario on every rank (see Autograd.Distributed.Worker/Program.cs); the
// worker throws, and so aborts the job, on any check that fails, and prints one "ok" line per check passed.
[TestFixture]
[Parallelizable(ParallelScope.None)]
public class DataParallelTests
{
    // Averaging after and during backward: per model (MLP, shared weight) gradients after one step and
    // parameters after 20; and, with more than one rank, a gradient on some ranks only refused.
    private static int ChecksPerRank(int ranks) => ranks > 1 ? 14 : 12;

    [TestCase(2)]
    [TestCase(3)]
    public void Training_on_shards_matches_one_process_on_the_whole_batch_and_stays_identical_across_ranks(int ranks) =>
        AssertEveryCheckPassed(MpiJob.Run("train", ranks), ranks);

    [Test]
    public void Without_mpirun_the_process_is_a_job_of_one()
    {
        MpiJob.IgnoreWithoutOpenMpi(); // a job of one still needs Open MPI's library and daemon
        var result = MpiJob.Run("train", ranks: null);
        AssertEveryCheckPassed(result, ranks: 1);
    }

    [Test]
    public void Without_Open_MPI_the_error_names_the_library_and_how_to_install_it()
    {
        var result = MpiJob.Run("train", ranks: null, new Dictionary<string, string> { ["AUTOGRAD_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" });
        AssertFailedWith(result, "DllNotFoundException: Communicator.Initialize: cannot load Open MPI's /nonexistent/libmpi.so.40; install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev");
    }

    [Test]
    public void A_rank_that_throws_aborts_the_job_with_its_message()
    {
        var result = MpiJob.Run("throw", ranks: 3);
        AssertFailedWith(result, "rank 1 of 3 failed, aborting the job: System.InvalidOperationException: rank 1 gives up on purpose");
        Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the other ranks should not wait for the failed one");
    }

    [Test]
    public void Parameter_shapes_that_differ_across_ranks_are_reported_with_the_parameter()
    {
        var result = MpiJob.Run("mismatch", ranks: 2);
        AssertFailedWith(result, "DataParallel: parameter 2 ('w2') has shape [8, 3] on rank 0 but [8, 4] on rank 1");
    }

    private static void AssertFailedWith(MpiJob.Result result, string message)
    {
        Assert.That(result.ExitCode, Is.Not.Zero, result.Output);
        Assert.That(result.Output, Does.Contain(message));
    }

    private static void AssertEveryCheckPassed(MpiJob.Result result, int ranks)
    {
        Assert.That(result.ExitCode, Is.Zero, result.Output);
        for (var rank = 0; rank < ranks; rank++)
        {
            var passed = Regex.Matches(result.Output, $"^rank {rank}/{ranks} ok: ", RegexOptions.Multiline).Count;
            Assert.That(passed, Is.EqualTo(ChecksPerRank(ranks)), $"rank {rank}'s checks:\n{result.Output}");
        }
    }
}
