using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Autograd.Optimizers;

namespace Autograd.Nn.Tests;

/// <summary>safetensors files built byte by byte from the format's specification: reading, writing, round trips and every way a file can be wrong.</summary>
public class SafeTensorsTests
{
    /// <summary>An 8-byte little-endian header length, the header's UTF-8 bytes, then the data.</summary>
    private static byte[] File(string header, params byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    private static byte[] Floats(params float[] values) => [.. values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; })];

    [Test]
    public void A_hand_built_file_reads_with_its_metadata_whatever_the_order_of_its_entries()
    {
        var bytes = File(
            """{"b":{"dtype":"F32","shape":[],"data_offsets":[16,20]},"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}  """,
            Floats(1, -2, 0.5f, float.PositiveInfinity, 7));

        var file = SafeTensors.Read(bytes);

        Assert.That(file.Entries.Select(e => e.Name), Is.EqualTo(new[] { "b", "a" }));
        Assert.That(file.Metadata, Is.EqualTo(new Dictionary<string, string> { ["format"] = "pt" }));
        Assert.That(file.GetTensor<float>("a").ToArray(), Is.EqualTo(new[] { 1, -2, 0.5f, float.PositiveInfinity }));
        Assert.That(file.GetTensor<float>("a").Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(file.GetTensor<float>("b").ToScalar(), Is.EqualTo(7));
        Assert.That(() => file.GetTensor<double>("a"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("tensor 'a' has dtype F32, but F64 (Double) was asked for"));
    }

    [Test]
    public void Written_bytes_follow_the_specification()
    {
        var stream = new MemoryStream();
        SafeTensors.Write<double>(stream, [new("w", NdArray.Create([1.0, -0.0, double.Epsilon], 3)), new("b", NdArray.Create([2.5], 1))], new Dictionary<string, string> { ["k"] = "v" });
        var bytes = stream.ToArray();

        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(length % 8, Is.Zero, "the header is padded to 8 bytes");
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, length).TrimEnd(' ')).RootElement;
        Assert.That(header.GetProperty("__metadata__").GetProperty("k").GetString(), Is.EqualTo("v"));
        Assert.That(header.GetProperty("w").GetProperty("dtype").GetString(), Is.EqualTo("F64"));
        Assert.That(header.GetProperty("w").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 3 }));
        Assert.That(header.GetProperty("w").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(new[] { 0L, 24 }));
        Assert.That(header.GetProperty("b").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(new[] { 24L, 32 }));
        var data = bytes.AsSpan(8 + length);
        Assert.That(data.Length, Is.EqualTo(32));
        Assert.That(BitConverter.DoubleToInt64Bits(BinaryPrimitives.ReadDoubleLittleEndian(data[8..])), Is.EqualTo(BitConverter.DoubleToInt64Bits(-0.0)));
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(data[16..]), Is.EqualTo(1L), "the smallest subnormal, little-endian");
        Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(data[24..]), Is.EqualTo(2.5));
    }

    private static IEnumerable<TestCaseData> CorruptFiles()
    {
        var good = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        TestCaseData Case(byte[] bytes, string message, string name) => new TestCaseData(bytes, message).SetName(name);
        yield return Case([1, 0, 0], "the file has 3 bytes, fewer than the 8-byte header length", "Fewer than 8 bytes");
        var truncatedHeader = File(good, Floats(1, 2));
        yield return Case(truncatedHeader[..20], $"the header length {Encoding.UTF8.GetByteCount(good)} is more than the 12 bytes after it", "Header cut short");
        yield return Case(File("{\"a\":", Floats(1)), "the header is not valid JSON", "Invalid JSON");
        yield return Case(File("[1, 2]"), "the header is not a JSON object", "Header not an object");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[2]}}""", Floats(1, 2)), "tensor 'a' is not an object with a string \"dtype\"", "Missing offsets");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", Floats(1, 2)), "tensor 'a' has a shape entry -2 that is not a length ≥ 0", "Negative length");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", Floats(1, 2)), "tensor 'a' has data_offsets [8,0]", "Offsets reversed");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", Floats(1, 2)), "tensor 'a' of dtype F32 and shape [3] needs 12 bytes but its data_offsets [0, 8] span 8", "Size disagrees with shape");
        yield return Case(File(good, Floats(1)), "tensor 'a' ends at byte 8 of the data, which has only 4 bytes (truncated)", "Data cut short");
        yield return Case(File(good, Floats(1, 2, 3)), "the data has 4 bytes after the last tensor", "Bytes after the last tensor");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", Floats(1, 2)),
            "tensor 'b' (bytes 4–8) overlaps tensor 'a' (bytes 0–8)", "Overlap");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", Floats(1, 2, 3)),
            "there is a gap of 4 bytes in the data before tensor 'b'", "Gap");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", Floats(1, 2)), "there is a gap of 4 bytes in the data before tensor 'a'", "Gap at the start");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", Floats(1, 2)),
            "the header lists 'a' twice", "Repeated name");
        yield return Case(File("""{"__metadata__":{"n":1}}"""), "__metadata__ entry 'n' is not a string", "Metadata not strings");
        yield return Case(File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999]}}""", Floats(1, 2)), "tensor 'a' of dtype F32 and shape [2] needs 8 bytes", "Offset out of range");
    }

    [TestCaseSource(nameof(CorruptFiles))]
    public void A_corrupt_file_is_a_clear_error(byte[] bytes, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(bytes));
        Assert.That(error!.Message, Does.StartWith("safetensors: ").And.Contains(message));
    }

    [Test]
    public void Every_truncation_of_a_valid_file_is_an_error_never_a_crash()
    {
        var stream = new MemoryStream();
        SafeTensors.Write<float>(stream, [new("x", NdArray.Create([1f, 2, 3], 3))]);
        var bytes = stream.ToArray();
        for (var length = 0; length < bytes.Length; length++)
            Assert.Throws<InvalidDataException>(() => SafeTensors.Read(bytes.AsMemory(0, length)), $"cut at {length}");
    }

    private static Sequential<T> Model<T>(int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        return new Sequential<T>(new Linear<T>(3, 4, random: random), new LayerNorm<T>([4]), new Activation<T>(Ops.Tanh), new Linear<T>(4, 2, random: random));
    }

    private static void Train<T>(Sequential<T> model, Optimizer<T> optimizer, int steps)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = NdArray.RandomNormal<T>(seed: 3, 5, 3);
        for (var i = 0; i < steps; i++)
        {
            optimizer.ZeroGrad();
            Ops.CrossEntropy(model.Forward(x), [0, 1, 1, 0, 1]).Backward();
            optimizer.Step();
        }
    }

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"autograd-{Guid.NewGuid():N}.safetensors");

    private static long[] Bits<T>(Module<T> model)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        [.. model.Parameters().SelectMany(p => p.Value.ToArray()).Select(v => v is float f ? BitConverter.SingleToInt32Bits(f) : BitConverter.DoubleToInt64Bits((double)(object)v))];

    [Test]
    public void A_model_and_its_Adam_state_round_trip_bit_exactly_and_training_continues_identically()
    {
        var path = TempPath();
        try
        {
            var model = Model<float>(1);
            var optimizer = new Adam<float>(model.Parameters(), learningRate: 0.01);
            Train(model, optimizer, 3);
            Checkpoint.Save(path, model, optimizer);

            var restored = Model<float>(2);
            var restoredOptimizer = new Adam<float>(restored.Parameters(), learningRate: 0.01);
            Checkpoint.Load(path, restored, restoredOptimizer);

            Assert.That(Bits(restored), Is.EqualTo(Bits(model)));
            Assert.That(restoredOptimizer.StepCount, Is.EqualTo(3));
            Train(model, optimizer, 2);
            Train(restored, restoredOptimizer, 2);
            Assert.That(Bits(restored), Is.EqualTo(Bits(model)), "the moments and step counts came back too");
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Test]
    public void A_double_model_with_Sgd_momentum_round_trips_and_its_file_names_follow_PyTorch()
    {
        var path = TempPath();
        try
        {
            var model = Model<double>(1);
            var optimizer = new Sgd<double>(model.Parameters(), learningRate: 0.1, momentum: 0.9);
            Train(model, optimizer, 2);
            Checkpoint.Save(path, model, optimizer);

            var file = SafeTensorsFile.Load(path);
            Assert.That(file.Entries.Select(e => e.Name).Take(6), Is.EqualTo(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias" }));
            Assert.That(file.Contains("optimizer.0.weight.momentum_buffer"), Is.True);
            Assert.That(file.Metadata["optimizer"], Is.EqualTo("Sgd"));

            var restored = Model<double>(5);
            var restoredOptimizer = new Sgd<double>(restored.Parameters(), learningRate: 0.1, momentum: 0.9);
            Checkpoint.Load(path, restored, restoredOptimizer);
            Assert.That(Bits(restored), Is.EqualTo(Bits(model)));
            var weightsOnly = Model<double>(6);
            Checkpoint.Load(path, weightsOnly);
            Assert.That(Bits(weightsOnly), Is.EqualTo(Bits(model)), "without an optimizer its saved state is skipped");
            Train(model, optimizer, 1);
            Train(restored, restoredOptimizer, 1);
            Assert.That(Bits(restored), Is.EqualTo(Bits(model)));

        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    private static IEnumerable<TestCaseData> Mismatches()
    {
        // Each builds a file from the model's own tensors, then spoils one thing.
        TestCaseData Case(Func<List<KeyValuePair<string, NdArray<float>>>, List<KeyValuePair<string, NdArray<float>>>> spoil, string message, string name) =>
            new TestCaseData(spoil, message).SetName(name);
        yield return Case(t => [.. t.Where(p => p.Key != "1.bias")], "the file has no tensor '1.bias', which the model needs", "Missing tensor");
        yield return Case(t => [.. t, new("head.weight", NdArray.Zeros<float>(2))], "the file holds tensor 'head.weight', which is no parameter of the model", "Extra tensor");
        yield return Case(t => [.. t.Select(p => p.Key == "3.weight" ? new(p.Key, NdArray.Zeros<float>(4, 2)) : p)], "tensor '3.weight' has shape [4, 2] but the model's is [2, 4]", "Wrong shape");
    }

    [TestCaseSource(nameof(Mismatches))]
    public void A_file_that_does_not_match_the_model_is_an_error_naming_the_tensor_and_changes_nothing(
        Func<List<KeyValuePair<string, NdArray<float>>>, List<KeyValuePair<string, NdArray<float>>>> spoil, string message)
    {
        var source = Model<float>(1);
        var stream = new MemoryStream();
        SafeTensors.Write(stream, spoil([.. source.NamedParameters().Select(p => new KeyValuePair<string, NdArray<float>>(p.Key, p.Value.Value))]));
        var model = Model<float>(2);
        var before = Bits(model);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(SafeTensors.Read(stream.ToArray()), model));

        Assert.That(error!.Message, Does.Contain(message));
        Assert.That(Bits(model), Is.EqualTo(before));
    }

    [Test]
    public void A_file_of_another_dtype_is_an_error_naming_the_tensor_and_changes_nothing()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, Model<double>(1).NamedParameters().Select(p => new KeyValuePair<string, NdArray<double>>(p.Key, p.Value.Value)));
        var model = Model<float>(2);
        var before = Bits(model);
        Assert.That(() => Checkpoint.Load(SafeTensors.Read(stream.ToArray()), model),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("tensor '0.weight' has dtype F64 but the model's is F32 (Single)"));
        Assert.That(Bits(model), Is.EqualTo(before));
    }

    [Test]
    public void Optimizer_state_that_does_not_fit_leaves_model_and_optimizer_as_they_were()
    {
        var path = TempPath();
        try
        {
            var model = Model<float>(1);
            var optimizer = new Adam<float>(model.Parameters());
            Train(model, optimizer, 1);
            Checkpoint.Save(path, model, optimizer);
            var file = SafeTensorsFile.Load(path);
            var tensors = file.Entries.Select(e => new KeyValuePair<string, NdArray<float>>(e.Name,
                e.Name == "optimizer.3.bias.exp_avg" ? NdArray.Zeros<float>(3) : file.GetTensor<float>(e.Name))).ToList();
            var stream = new MemoryStream();
            SafeTensors.Write(stream, tensors, file.Metadata);

            var target = Model<float>(2);
            var targetOptimizer = new Adam<float>(target.Parameters());
            Train(target, targetOptimizer, 2);
            var before = Bits(target);
            var moment = targetOptimizer.GetState("exp_avg", 0)!.ToArray();

            var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(SafeTensors.Read(stream.ToArray()), target, targetOptimizer));

            Assert.That(error!.Message, Does.Contain("tensor 'optimizer.3.bias.exp_avg' does not fit the optimizer: Adam.SetState: state 'exp_avg' of parameter 5 must have shape [2], not [3]"));
            Assert.That(Bits(target), Is.EqualTo(before));
            Assert.That(targetOptimizer.GetState("exp_avg", 0)!.ToArray(), Is.EqualTo(moment));
            Assert.That(targetOptimizer.StepCount, Is.EqualTo(2));
            Assert.That(() => Checkpoint.Load(path, Model<float>(3), new Sgd<float>(Model<float>(3).Parameters(), 0.1)), Throws.ArgumentException, "an optimizer over other variables");
            var sgdModel = Model<float>(4);
            Assert.That(() => Checkpoint.Load(path, sgdModel, new Sgd<float>(sgdModel.Parameters(), 0.1)),
                Throws.InstanceOf<InvalidDataException>().With.Message.Contains("the file holds no state of a Sgd optimizer (its metadata says 'Adam')"));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
