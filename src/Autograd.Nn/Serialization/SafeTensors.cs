using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;

namespace Autograd.Nn;

/// <summary>
/// The safetensors format (Hugging Face's, which PyTorch reads and writes with <c>safetensors.torch</c>):
/// an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets into the data that follows) plus an
/// optional <c>"__metadata__"</c> object of strings, then the tensors' raw little-endian bytes, back to
/// back. Tensors here are <c>F32</c> (<see cref="float"/>) or <c>F64</c> (<see cref="double"/>).
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> in the given order (and <paramref name="metadata"/> when given) to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved.</exception>
    public static void Write<T>(Stream stream, IEnumerable<KeyValuePair<string, NdArray<T>>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var dtype = DTypeOf<T>();
        var size = SizeOf(dtype);
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                if (string.IsNullOrEmpty(name) || name == MetadataKey || !names.Add(name))
                    throw new ArgumentException($"SafeTensors.Write: the tensor name '{name}' is empty, reserved or repeated.", nameof(tensors));
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (var length in tensor.Shape)
                    json.WriteNumberValue(length);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += (long)tensor.Length * size);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does, so the data is aligned.
        while (header.Length % 8 != 0)
            header.WriteByte((byte)' ');

        Span<byte> length8 = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length8, (ulong)header.Length);
        stream.Write(length8);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var (_, tensor) in list)
        {
            var values = tensor.IsContiguous ? tensor.AsReadOnlySpan() : tensor.Clone().AsReadOnlySpan();
            var bytes = new byte[values.Length * size];
            for (var i = 0; i < values.Length; i++)
                WriteLittleEndian(bytes.AsSpan(i * size), values[i]);
            stream.Write(bytes);
        }
    }

    /// <summary>Reads and checks a whole safetensors file held in <paramref name="bytes"/>: the header, every tensor's dtype, shape and offsets, and that the tensors tile the data exactly.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, its header is not the format's JSON, or its offsets overlap, leave gaps or leave the data.</exception>
    public static SafeTensorsFile Read(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < 8)
            throw Invalid($"the file has {span.Length} bytes, fewer than the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (headerLength > (ulong)(span.Length - 8))
            throw Invalid($"the header length {headerLength} is more than the {span.Length - 8} bytes after it (truncated or not a safetensors file)");
        var data = bytes[(8 + (int)headerLength)..];

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.Slice(8, (int)headerLength));
        }
        catch (JsonException error)
        {
            throw Invalid($"the header is not valid JSON ({error.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid("the header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Invalid($"the header lists '{property.Name}' twice");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, metadata);
                else
                    entries.Add(ReadEntry(property.Name, property.Value));
            }
            CheckTiling(entries, data.Length);
            return new SafeTensorsFile(entries, metadata, data);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Invalid("__metadata__ is not an object of strings");
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid($"__metadata__ entry '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !element.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"tensor '{name}' is not an object with a string \"dtype\", an array \"shape\" and an array \"data_offsets\"");
        }
        var dtype = dtypeElement.GetString()!;
        var shape = new List<int>();
        long count = 1;
        foreach (var length in shapeElement.EnumerateArray())
        {
            if (length.ValueKind != JsonValueKind.Number || !length.TryGetInt32(out var n) || n < 0)
                throw Invalid($"tensor '{name}' has a shape entry {length.GetRawText()} that is not a length ≥ 0");
            shape.Add(n);
            count = checked(count * n);
        }
        var offsets = offsetsElement.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var v) && v >= 0 ? v : -1).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            throw Invalid($"tensor '{name}' has data_offsets {offsetsElement.GetRawText()}; they must be [begin, end] with 0 ≤ begin ≤ end");
        var size = SizeOf(dtype);
        if (size != 0 && offsets[1] - offsets[0] != count * size)
            throw Invalid($"tensor '{name}' of dtype {dtype} and shape {ShapeFormat.Of([.. shape])} needs {count * size} bytes but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new SafeTensorsEntry(name, dtype, [.. shape], offsets[0], offsets[1]);
    }

    /// <summary>The tensors must cover the data exactly, in some order: no overlap, no gap, nothing outside or after.</summary>
    private static void CheckTiling(List<SafeTensorsEntry> entries, int dataLength)
    {
        long end = 0;
        SafeTensorsEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.End > dataLength)
                throw Invalid($"tensor '{entry.Name}' ends at byte {entry.End} of the data, which has only {dataLength} bytes (truncated)");
            if (entry.Begin < end)
                throw Invalid($"tensor '{entry.Name}' (bytes {entry.Begin}–{entry.End}) overlaps tensor '{previous!.Name}' (bytes {previous.Begin}–{previous.End})");
            if (entry.Begin > end)
                throw Invalid($"there is a gap of {entry.Begin - end} bytes in the data before tensor '{entry.Name}'");
            end = entry.End;
            previous = entry;
        }
        if (end != dataLength)
            throw Invalid($"the data has {dataLength - end} bytes after the last tensor");
    }

    internal static string DTypeOf<T>() => typeof(T) == typeof(float) ? "F32" : typeof(T) == typeof(double) ? "F64"
        : throw new NotSupportedException($"SafeTensors: element type {typeof(T).Name} is not supported; use float (F32) or double (F64).");

    /// <summary>Bytes per element of a supported dtype; 0 for any other.</summary>
    internal static int SizeOf(string dtype) => dtype switch { "F32" => 4, "F64" => 8, _ => 0 };

    internal static T ReadLittleEndian<T>(ReadOnlySpan<byte> bytes) =>
        typeof(T) == typeof(float) ? (T)(object)BinaryPrimitives.ReadSingleLittleEndian(bytes) : (T)(object)BinaryPrimitives.ReadDoubleLittleEndian(bytes);

    private static void WriteLittleEndian<T>(Span<byte> bytes, T value)
    {
        if (value is float single)
            BinaryPrimitives.WriteSingleLittleEndian(bytes, single);
        else
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, (double)(object)value!);
    }

    internal static InvalidDataException Invalid(string what) => new($"safetensors: {what}.");
}

/// <summary>One tensor's header entry: its dtype, shape and byte range in the data.</summary>
public sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End);

/// <summary>A checked safetensors file: its entries in header order, its metadata, and its data.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, SafeTensorsEntry> _byName;
    private readonly ReadOnlyMemory<byte> _data;

    internal SafeTensorsFile(List<SafeTensorsEntry> entries, Dictionary<string, string> metadata, ReadOnlyMemory<byte> data)
    {
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _data = data;
    }

    /// <summary>The tensors' entries, in header order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Whether a tensor named <paramref name="name"/> is in the file.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>A new array holding tensor <paramref name="name"/>, which must have element type <typeparamref name="T"/>'s dtype.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    /// <exception cref="InvalidDataException">The tensor's dtype is not <typeparamref name="T"/>'s.</exception>
    public NdArray<T> GetTensor<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!_byName.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"safetensors: there is no tensor '{name}' in the file.");
        var dtype = SafeTensors.DTypeOf<T>();
        if (entry.DType != dtype)
            throw SafeTensors.Invalid($"tensor '{name}' has dtype {entry.DType}, but {dtype} ({typeof(T).Name}) was asked for");
        var size = SafeTensors.SizeOf(dtype);
        var bytes = _data.Span[(int)entry.Begin..(int)entry.End];
        var values = new T[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
            values[i] = SafeTensors.ReadLittleEndian<T>(bytes[(i * size)..]);
        return entry.Shape.Length == 0 ? NdArray.Scalar(values[0]) : NdArray.Create(values, entry.Shape);
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <inheritdoc cref="SafeTensors.Read(ReadOnlyMemory{byte})"/>
    public static SafeTensorsFile Load(string path) => SafeTensors.Read(File.ReadAllBytes(path));
}
