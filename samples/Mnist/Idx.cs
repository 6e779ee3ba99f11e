using System.Buffers.Binary;
using System.IO.Compression;
using Autograd;

/// <summary>Reads the IDX files MNIST and Fashion-MNIST ship in (gzipped or not): big-endian magic, lengths, then bytes.</summary>
internal static class Idx
{
    /// <summary>The images of <paramref name="prefix"/> ("train" or "t10k") in <paramref name="folder"/> as floats in [0, 1], [count, 1, rows, columns], and their labels.</summary>
    public static (NdArray<float> Images, int[] Labels) Load(string folder, string prefix)
    {
        var images = Read(folder, $"{prefix}-images-idx3-ubyte", 0x803);
        var labels = Read(folder, $"{prefix}-labels-idx1-ubyte", 0x801);
        int count = images.Shape[0], rows = images.Shape[1], columns = images.Shape[2];
        if (labels.Shape[0] != count)
            throw new InvalidDataException($"{prefix}: {count} images but {labels.Shape[0]} labels.");
        var pixels = images.Data.Select(b => b / 255f).ToArray();
        return (NdArray.Create(pixels, count, 1, rows, columns), [.. labels.Data.Select(b => (int)b)]);
    }

    private static (int[] Shape, byte[] Data) Read(string folder, string name, int magic)
    {
        var path = new[] { name + ".gz", name }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No {name}[.gz] in {folder}.");
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        if (bytes.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
            throw new InvalidDataException($"{path}: not an IDX file of magic 0x{magic:X} (unsigned bytes, {magic & 0xFF} axes).");
        var rank = magic & 0xFF;
        var shape = Enumerable.Range(0, rank).Select(i => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i))).ToArray();
        var data = bytes[(4 + 4 * rank)..];
        if (data.Length != shape.Aggregate(1, (p, n) => p * n))
            throw new InvalidDataException($"{path}: the header promises [{string.Join(", ", shape)}] but {data.Length} bytes follow.");
        return (shape, data);
    }
}
