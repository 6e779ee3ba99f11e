using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>The pipeline caches: an unrelated edit re-runs nothing, and no model holds compiler objects.</summary>
public class CachingTests
{
    private static readonly string[] TrackedSteps = [TrackingNames.Ops, TrackingNames.ValidOps, TrackingNames.AssemblyName, TrackingNames.Registry];

    private static CSharpCompilation Ops() => Compile(OpSources.Generic, OpSources.SavedState, OpSources.NonArrayDefaults, OpSources.SavedFor, "namespace User; public static class Other { public static int Answer() => 41; }");

    [Test]
    public void An_unrelated_edit_reruns_no_step()
    {
        var compilation = Ops();
        var driver = CreateDriver().RunGenerators(compilation);

        var other = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(other, other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            "namespace User; public static class Other { public static int Answer() => 42; }")));
        edited = edited.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace User; public class Added { }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);

        var result = driver.GetRunResult().Results.Single();
        foreach (var step in TrackedSteps)
        {
            Assert.That(result.TrackedSteps.ContainsKey(step), Is.True, step);
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, step);
            Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step);
        }
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(outputs, Is.Not.Empty);
        Assert.That(outputs, Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }

    [Test]
    public void Editing_an_op_reruns_only_that_op()
    {
        var compilation = Ops();
        var driver = CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            OpSources.Generic.Replace("Name = \"*\"", "Name = \"mul\"", StringComparison.Ordinal))));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();
        var reasons = result.TrackedSteps[TrackingNames.Ops].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(reasons.Count(r => r == IncrementalStepRunReason.Modified), Is.EqualTo(1));
        Assert.That(result.GeneratedSources.Single(s => s.HintName.Contains("MulNode", StringComparison.Ordinal)).SourceText.ToString(), Does.Contain("\"mul\""));
    }

    [Test]
    public void Models_hold_no_symbol_syntax_location_or_compilation()
    {
        var driver = CreateDriver().RunGenerators(Compile([.. OpSources.All.Values]));
        var result = driver.GetRunResult().Results.Single();
        var values = TrackedSteps.SelectMany(name => result.TrackedSteps[name]).SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.That(values, Is.Not.Empty);
        foreach (var value in values)
            Walk(value, "step output", new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(Diagnostic), typeof(AttributeData)];

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
            return;
        var type = value.GetType();
        foreach (var forbidden in Forbidden)
            Assert.That(forbidden.IsAssignableFrom(type), Is.False, $"{path} is a {type.Name}, a {forbidden.Name}: models must be plain data");
        if (!type.IsValueType && !seen.Add(value))
            return;
        if (value is IEnumerable items && !type.IsValueType)
        {
            var i = 0;
            foreach (var item in items)
                Walk(item, $"{path}[{i++}]", seen);
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer)
                    continue;
                Walk(field.GetValue(value), path + "." + field.Name, seen);
            }
        }
    }
}
