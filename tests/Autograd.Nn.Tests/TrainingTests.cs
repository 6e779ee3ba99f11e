using Autograd.Optimizers;

namespace Autograd.Nn.Tests;

public class TrainingTests
{
    [Test]
    public void Step_cosine_and_warmup_schedules_follow_their_formulas()
    {
        var step = LearningRateSchedule.Step(3, gamma: 0.5);
        Assert.That(Enumerable.Range(0, 7).Select(step.Factor), Is.EqualTo(new[] { 1, 1, 1, 0.5, 0.5, 0.5, 0.25 }));

        var cosine = LearningRateSchedule.Cosine(4, minimumFactor: 0.2);
        double[] expected = [1, 0.2 + 0.8 * (1 + Math.Cos(Math.PI / 4)) / 2, 0.6, 0.2 + 0.8 * (1 + Math.Cos(3 * Math.PI / 4)) / 2, 0.2, 0.2];
        Assert.That(Enumerable.Range(0, 6).Select(cosine.Factor), Is.EqualTo(expected).Within(1e-15));

        var warmup = LearningRateSchedule.LinearWarmup(4, then: LearningRateSchedule.Step(2, 0.1), startFactor: 0.2);
        Assert.That(Enumerable.Range(0, 8).Select(warmup.Factor), Is.EqualTo(new[] { 0.2, 0.4, 0.6, 0.8, 1, 1, 0.1, 0.1 }).Within(1e-15));
        Assert.That(LearningRateSchedule.LinearWarmup(2).Factor(5), Is.EqualTo(1));
        Assert.That(() => step.Factor(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void The_scheduler_sets_the_optimizer_learning_rate_from_its_base()
    {
        var p = Variable.Create(NdArray.Ones<double>(2));
        Optimizer<double>[] optimizers = [new Sgd<double>([p], learningRate: 0.4), new Adam<double>([p], learningRate: 0.4)];
        foreach (var optimizer in optimizers)
        {
            var scheduler = new LearningRateScheduler<double>(optimizer, LearningRateSchedule.LinearWarmup(2, startFactor: 0.5));
            Assert.That(optimizer.LearningRate, Is.EqualTo(0.2));
            Assert.That(scheduler.Step(), Is.EqualTo(0.3).Within(1e-15));
            Assert.That(optimizer.LearningRate, Is.EqualTo(0.3).Within(1e-15));
            scheduler.Step();
            Assert.That(optimizer.LearningRate, Is.EqualTo(0.4));
            Assert.That(scheduler.StepCount, Is.EqualTo(2));
        }
    }

    [Test]
    public void DataLoader_covers_every_example_once_per_epoch_keeps_rows_with_labels_and_is_seeded()
    {
        var inputs = NdArray.Arange<double>(20).Reshape(10, 2);
        int[] labels = [.. Enumerable.Range(100, 10)];
        var loader = new DataLoader<double>(inputs, labels, batchSize: 4, seed: 7);

        var first = loader.ToList();
        var second = loader.ToList();

        Assert.That(loader.Count, Is.EqualTo(3));
        Assert.That(first.Select(b => b.Labels.Length), Is.EqualTo(new[] { 4, 4, 2 }));
        foreach (var batch in first.Concat(second))
        {
            var rows = batch.Inputs.ToArray();
            for (var i = 0; i < batch.Labels.Length; i++)
                Assert.That(rows[(2 * i)..(2 * i + 2)], Is.EqualTo(new double[] { 2 * (batch.Labels[i] - 100), 2 * (batch.Labels[i] - 100) + 1 }));
        }
        Assert.That(first.SelectMany(b => b.Labels).Order(), Is.EqualTo(labels));
        Assert.That(first.SelectMany(b => b.Labels), Is.Not.EqualTo(labels), "shuffled");
        Assert.That(second.SelectMany(b => b.Labels), Is.Not.EqualTo(first.SelectMany(b => b.Labels)), "a new order each epoch");
        var again = new DataLoader<double>(inputs, labels, batchSize: 4, seed: 7);
        Assert.That(again.SelectMany(b => b.Labels), Is.EqualTo(first.SelectMany(b => b.Labels)), "reproducible from the seed");
    }

    [Test]
    public void DataLoader_without_shuffle_keeps_order_and_can_drop_the_last_batch()
    {
        var loader = new DataLoader<float>(NdArray.Zeros<float>(10, 3), [.. Enumerable.Range(0, 10)], batchSize: 4, shuffle: false, dropLast: true);
        Assert.That(loader.Select(b => b.Labels), Is.EqualTo(new[] { new[] { 0, 1, 2, 3 }, [4, 5, 6, 7] }));
        Assert.That(() => new DataLoader<float>(NdArray.Zeros<float>(10, 3), [1, 2], 4),
            Throws.ArgumentException.With.Message.Contains("DataLoader: inputs of shape [10, 3] were given with 2 labels"));
    }
}
