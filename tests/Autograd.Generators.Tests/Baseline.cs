using System.Runtime.CompilerServices;

namespace Autograd.Generators.Tests;

/// <summary>
/// Compares generated text with checked-in files under <c>Baselines/</c>. A missing or different
/// baseline fails; set <c>AUTOGRAD_ACCEPT_BASELINES=1</c> to write the current output as the new
/// baseline instead (then review the diff and commit it).
/// </summary>
internal static class Baseline
{
    public const string AcceptVariable = "AUTOGRAD_ACCEPT_BASELINES";

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    public static string Directory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "Baselines");

    /// <summary>Checks that <paramref name="folder"/> holds exactly <paramref name="files"/> (name → text).</summary>
    public static void Match(string folder, IReadOnlyList<(string Name, string Text)> files)
    {
        var directory = Path.Combine(Directory(), folder);
        if (Accepting)
        {
            if (System.IO.Directory.Exists(directory))
                System.IO.Directory.Delete(directory, recursive: true);
            System.IO.Directory.CreateDirectory(directory);
            foreach (var (name, text) in files)
                File.WriteAllText(Path.Combine(directory, name), text);
            return;
        }

        var hint = $" Run the tests with {AcceptVariable}=1 to accept the current output, review the diff, and commit it.";
        var expectedNames = System.IO.Directory.Exists(directory)
            ? System.IO.Directory.GetFiles(directory).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList()
            : [];
        var actualNames = files.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.That(actualNames, Is.EqualTo(expectedNames), $"The generated files of '{folder}' differ from Baselines/{folder}." + hint);
        foreach (var (name, text) in files)
        {
            var expected = File.ReadAllText(Path.Combine(directory, name)).Replace("\r\n", "\n");
            Assert.That(text, Is.EqualTo(expected), $"Generated '{name}' differs from Baselines/{folder}/{name}." + hint);
        }
    }
}
