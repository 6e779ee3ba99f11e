namespace Autograd;

/// <summary>
/// Marks a static forward method as a differentiable op. The Autograd source generator pairs it with
/// its backward and adds overloads that take <see cref="Variable{T}"/> in any array position, record
/// a graph node and route gradients (and, when the first parameter has <c>this</c>, keep it, so the op
/// is also a method: <c>x.MyOp()</c>).
/// </summary>
/// <remarks>
/// <para><b>Forward.</b> A <c>static</c> method of a <c>partial</c> type (every enclosing type
/// <c>partial</c> too, none generic) returning <see cref="NdArray{T}"/>. Each <see cref="NdArray{T}"/>
/// parameter is a differentiable input (at least one, all of the result's element type, no default
/// value). Other parameters (<c>int axis</c>, <c>double slope</c>, <c>int[] labels</c>) pass through
/// unchanged. An optional last <c>out</c> parameter is state saved for backward. Do not write into
/// the inputs: the graph keeps them for backward (warning AG0025).</para>
/// <para><b>Backward.</b> Named <c>&lt;Method&gt;Backward</c> in the same type, or by
/// <see cref="Backward"/>; <c>static void</c>, with the forward's type parameters and constraints.
/// Its parameters, in this order:</para>
/// <list type="number">
/// <item><description>the output gradient, <c>NdArray&lt;T&gt;</c> (any name, e.g. <c>dy</c>);</description></item>
/// <item><description>any forward parameters it needs, by the forward's names, in the forward's
/// order; then the <c>out</c> state by its name; then <c>NdArray&lt;T&gt; output</c> for the
/// forward's result (an array read only for some slots' gradients can say so with
/// <see cref="SavedForAttribute"/>, and is then saved only when one of them can be needed);</description></item>
/// <item><description>one <see cref="GradSlot{T}"/> per array input, in order (names are free).</description></item>
/// </list>
/// <para>For each slot: skip work unless <see cref="GradSlot{T}.IsNeeded"/>; give the input's
/// gradient (the vector-Jacobian product of <c>dy</c>) with <see cref="GradSlot{T}.Accumulate(NdArray{T})"/>, which
/// sums a broadcast-shaped gradient down to the input's shape; or add into the buffer from
/// <see cref="GradSlot{T}.GetBuffer()"/> for sparse updates. Never write into the output gradient, the
/// saved inputs or <c>output</c> (warning AG0026). Every rule broken is a located compile error
/// <c>AG00xx</c>; IDEs offer to generate the backward from the forward (code fix on AG0008).</para>
/// <example>
/// <code>
/// public static partial class MyOps
/// {
///     [DifferentiableOp]
///     public static NdArray&lt;T&gt; Square&lt;T&gt;(this NdArray&lt;T&gt; x) where T : unmanaged, IFloatingPointIeee754&lt;T&gt;
///         =&gt; NdArray.Multiply(x, x);
///
///     static void SquareBackward&lt;T&gt;(NdArray&lt;T&gt; dy, NdArray&lt;T&gt; x, GradSlot&lt;T&gt; dx) where T : unmanaged, IFloatingPointIeee754&lt;T&gt;
///     {
///         if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, x), T.CreateChecked(2)));
///     }
/// }
/// </code>
/// </example>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableOpAttribute : Attribute
{
    /// <summary>The op's name in error messages and graph export; the method's name when not set. Not empty (AG0023).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The backward method's name, for one not called <c>&lt;Method&gt;Backward</c>: write
    /// <c>Backward = nameof(MyGradient)</c>. It must name exactly one method of the same type (AG0008, AG0009).
    /// </summary>
    public string? Backward { get; set; }

    /// <summary>
    /// Set to <c>true</c> to require a recorded backward (an overload of the backward taking
    /// <see cref="Variable{T}"/>s where the array backward takes arrays, written with ops), so the op
    /// is differentiable twice and more: without one, the build fails with AG0027, which names the
    /// overload to write. Ops without it may still have one; they are then checked the same way.
    /// </summary>
    public bool DifferentiableTwice { get; set; }
}
