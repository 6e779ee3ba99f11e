namespace Autograd.Distributed.Tests;

public class DistributedSamplerTests
{
    [TestCase(10, 3)]
    [TestCase(12, 4)]
    [TestCase(2, 3)]
    public void The_shards_of_an_epoch_cover_the_data_set_and_are_equal_in_size(int count, int size)
    {
        var shards = Enumerable.Range(0, size).Select(rank => new DistributedSampler(count, rank, size, seed: 5).Indices(epoch: 2)).ToArray();
        var all = shards.SelectMany(shard => shard).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(shards.Select(shard => shard.Length), Is.All.EqualTo((count + size - 1) / size));
            Assert.That(all.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, count)));
        });
    }

    [Test]
    public void Shards_are_disjoint_when_the_ranks_divide_the_data_set()
    {
        var all = Enumerable.Range(0, 4).SelectMany(rank => new DistributedSampler(20, rank, 4, seed: 1).Indices(0)).ToArray();
        Assert.That(all, Is.Unique);
    }

    [Test]
    public void The_same_seed_and_epoch_give_the_same_shard_and_a_new_epoch_reshuffles()
    {
        var sampler = new DistributedSampler(50, 1, 2, seed: 9);
        Assert.Multiple(() =>
        {
            Assert.That(sampler.Indices(3), Is.EqualTo(new DistributedSampler(50, 1, 2, seed: 9).Indices(3)));
            Assert.That(sampler.Indices(4), Is.Not.EqualTo(sampler.Indices(3)));
            Assert.That(new DistributedSampler(50, 1, 2, seed: 10).Indices(3), Is.Not.EqualTo(sampler.Indices(3)));
        });
    }

    [Test]
    public void Without_shuffling_rank_r_takes_every_size_th_index_from_r() =>
        Assert.That(new DistributedSampler(7, 1, 3, seed: 0, shuffle: false).Indices(0), Is.EqualTo(new[] { 1, 4, 0 }));

    [Test]
    public void A_rank_outside_the_job_is_refused() =>
        Assert.That(() => new DistributedSampler(10, 3, 3, seed: 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("rank 3 is not in [0, 3)"));
}
