namespace Autograd.Generators.Tests;

/// <summary>One valid op source per op shape: snapshotted, compiled with zero diagnostics, and (some) run.</summary>
internal static class OpSources
{
    public const string Generic = GeneratorHarness.Usings + """
        namespace User;

        public static partial class MyOps
        {
            [DifferentiableOp(Name = "*")]
            public static NdArray<T> Mul<T>(NdArray<T> x1, NdArray<T> x2) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Multiply(x1, x2);

            static void MulBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx1.IsNeeded) dx1.Accumulate(NdArray.Multiply(dy, x2));
                if (dx2.IsNeeded) dx2.Accumulate(NdArray.Multiply(dy, x1));
            }
        }
        """;

    public const string ConcreteDouble = GeneratorHarness.Usings + """
        namespace User;

        public static partial class DoubleOps
        {
            [DifferentiableOp]
            public static NdArray<double> Square(NdArray<double> x) => NdArray.Multiply(x, x);

            private static void SquareBackward(NdArray<double> dy, NdArray<double> x, GradSlot<double> dx)
            {
                if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, x), 2.0));
            }
        }
        """;

    public const string ConcreteSingle = GeneratorHarness.Usings + """
        namespace User;

        internal static partial class FloatOps
        {
            [DifferentiableOp(Name = "neg")]
            internal static NdArray<float> Negate(NdArray<float> x) => NdArray.Multiply(x, -1f);

            static void NegateBackward(NdArray<float> dy, GradSlot<float> dx)
            {
                if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(dy, -1f));
            }
        }
        """;

    public const string NonArrayDefaults = GeneratorHarness.Usings + """
        namespace User;

        public enum Mode { Fast, Exact = 3 }

        public static partial class Activations
        {
            /// <summary>max(x, slope * x), with parameters of every default kind.</summary>
            [DifferentiableOp(Name = "leaky_relu")]
            public static NdArray<T> LeakyRelu<T>(
                NdArray<T> x, float slope = 0.01f, int axis = -1, bool keepDims = false, string? label = null,
                Mode mode = Mode.Exact, double eps = 1e-12, int[]? shape = null, decimal scale = 1.5m, char tag = 'x',
                float missing = float.NaN, double big = double.NegativeInfinity, long count = -9L, Mode other = (Mode)7,
                DateTimeKind kind = default, string quote = "a \"b\"\n")
                where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Maximum(x, NdArray.Multiply(x, T.CreateChecked(slope)));

            static void LeakyReluBackward<T>(NdArray<T> dy, NdArray<T> x, float slope, Mode mode, GradSlot<T> dx)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (!dx.IsNeeded) return;
                var grad = dy.Clone();
                var input = x.ToArray();
                var span = grad.AsSpan();
                for (var i = 0; i < span.Length; i++)
                    if (input[i] < T.Zero) span[i] *= T.CreateChecked(slope);
                dx.Accumulate(grad);
            }
        }
        """;

    public const string Output = GeneratorHarness.Usings + """
        namespace User;

        public static partial class UnaryOps
        {
            [DifferentiableOp]
            public static NdArray<T> Exp<T>(NdArray<T> x) where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Exp(x);

            static void ExpBackward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(dy, output));
            }
        }
        """;

    public const string SavedState = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Regularization
        {
            /// <summary>Keeps the elements whose index is not a multiple of <paramref name="every"/>, scaled; the mask is saved for backward.</summary>
            [DifferentiableOp]
            public static NdArray<T> Drop<T>(NdArray<T> x, int every, out NdArray<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
            {
                var m = new T[x.Length];
                for (var i = 0; i < m.Length; i++)
                    m[i] = i % every == 0 ? T.Zero : T.One + T.One;
                mask = NdArray.Create(m, x.Shape.ToArray());
                return NdArray.Multiply(x, mask);
            }

            static void DropBackward<T>(NdArray<T> dy, int every, NdArray<T> mask, NdArray<T> output, GradSlot<T> dx)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(dy, mask));
            }
        }
        """;

    public const string Nested = GeneratorHarness.Usings + """
        namespace Company.Product.Math
        {
            public partial class Outer
            {
                internal readonly partial struct Middle
                {
                    internal partial record Inner
                    {
                        [DifferentiableOp(Name = "add")]
                        internal static NdArray<T> Add<T>(NdArray<T> a, NdArray<T> b) where T : unmanaged, IFloatingPointIeee754<T>
                            => NdArray.Add(a, b);

                        static void AddBackward<T>(NdArray<T> g, GradSlot<T> da, GradSlot<T> db) where T : unmanaged, IFloatingPointIeee754<T>
                        {
                            da.Accumulate(g);
                            db.Accumulate(g);
                        }
                    }
                }
            }
        }
        """;

    public const string Overloads = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Scaling
        {
            [DifferentiableOp]
            public static NdArray<T> Scale<T>(NdArray<T> x, double factor = 2) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Multiply(x, T.CreateChecked(factor));

            [DifferentiableOp(Backward = nameof(ScaleDoubleBackward))]
            public static NdArray<double> Scale(NdArray<double> x, NdArray<double> y) => NdArray.Multiply(x, y);

            static void ScaleBackward<T>(NdArray<T> dy, double factor, GradSlot<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
                => dx.Accumulate(NdArray.Multiply(dy, T.CreateChecked(factor)));

            static void ScaleDoubleBackward(NdArray<double> dy, NdArray<double> x, NdArray<double> y, GradSlot<double> dx, GradSlot<double> dy2)
            {
                dx.Accumulate(NdArray.Multiply(dy, y));
                dy2.Accumulate(NdArray.Multiply(dy, x));
            }
        }
        """;

    public const string GlobalNamespace = GeneratorHarness.Usings + """
        public static partial class GlobalOps
        {
            [DifferentiableOp]
            public static NdArray<T> Identity<T>(NdArray<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x.Clone();

            static void IdentityBackward<T>(NdArray<T> dy, GradSlot<T> dx) where T : unmanaged, IFloatingPointIeee754<T> => dx.Accumulate(dy);
        }
        """;

    public const string ThreeInputs = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Fused
        {
            /// <summary>a * b + c.</summary>
            [DifferentiableOp(Name = "fma")]
            public static NdArray<T> MulAdd<T>(NdArray<T> a, NdArray<T> b, NdArray<T> c) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Add(NdArray.Multiply(a, b), c);

            static void MulAddBackward<T>(NdArray<T> dy, NdArray<T> a, NdArray<T> b, GradSlot<T> da, GradSlot<T> db, GradSlot<T> dc)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (da.IsNeeded) da.Accumulate(NdArray.Multiply(dy, b));
                if (db.IsNeeded) db.Accumulate(NdArray.Multiply(dy, a));
                dc.Accumulate(dy);
            }
        }
        """;

    public const string ArityLimit = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Wide
        {
            [DifferentiableOp]
            public static NdArray<T> Sum5<T>(NdArray<T> a, NdArray<T> b, NdArray<T> c, NdArray<T> d, NdArray<T> e) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Add(NdArray.Add(NdArray.Add(a, b), NdArray.Add(c, d)), e);

            static void Sum5Backward<T>(NdArray<T> dy, GradSlot<T> da, GradSlot<T> db, GradSlot<T> dc, GradSlot<T> dd, GradSlot<T> de)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                da.Accumulate(dy); db.Accumulate(dy); dc.Accumulate(dy); dd.Accumulate(dy); de.Accumulate(dy);
            }
        }
        """;

    public const string Extension = GeneratorHarness.Usings + """
        namespace User;

        public static partial class ArrayExtensions
        {
            [DifferentiableOp]
            public static NdArray<T> Twice<T>(this NdArray<T> x, NdArray<T> @base) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Add(NdArray.Add(x, x), @base);

            static void TwiceBackward<T>(NdArray<T> dy, GradSlot<T> dx, GradSlot<T> @in) where T : unmanaged, IFloatingPointIeee754<T>
            {
                dx.Accumulate(NdArray.Add(dy, dy));
                @in.Accumulate(dy);
            }
        }
        """;

    public const string MultipleTypeParameters = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Tagged
        {
            /// <summary>Passes x through and saves a tag of any type as state; the node is generic over both type parameters.</summary>
            [DifferentiableOp]
            public static NdArray<T> Tag<T, TTag>(NdArray<T> x, TTag tag, out (TTag Tag, int Rank) state)
                where T : unmanaged, IFloatingPointIeee754<T>
                where TTag : notnull
            {
                state = (tag, x.Rank);
                return x.Clone();
            }

            static void TagBackward<T, TTag>(NdArray<T> dy, (TTag Tag, int Rank) state, GradSlot<T> dx)
                where T : unmanaged, IFloatingPointIeee754<T>
                where TTag : notnull
                => dx.Accumulate(dy);
        }
        """;

    public const string Interface = GeneratorHarness.Usings + """
        namespace User;

        public partial interface IOps
        {
            [DifferentiableOp]
            static NdArray<double> Half(NdArray<double> x) => NdArray.Multiply(x, 0.5);

            private static void HalfBackward(NdArray<double> dy, GradSlot<double> dx) => dx.Accumulate(NdArray.Multiply(dy, 0.5));
        }
        """;

    /// <summary>Every valid shape by name (the baseline folder's name).</summary>
    public const string ArrayArguments = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Gathering
        {
            /// <summary>x[indices] along the last axis, scaled per index by weights when given.</summary>
            [DifferentiableOp(Name = "gather")]
            public static NdArray<double> Gather(NdArray<double> x, int[] indices, double[]? weights = null)
            {
                var result = NdArray.Zeros<double>(indices.Length);
                for (var i = 0; i < indices.Length; i++)
                    result[i] = x[indices[i]] * (weights?[i] ?? 1.0);
                return result;
            }

            // indices and weights are C# arrays: the node keeps copies of them, not the caller's arrays.
            static void GatherBackward(NdArray<double> dy, int[] indices, double[]? weights, GradSlot<double> dx)
            {
                if (!dx.IsNeeded) return;
                var grad = dx.GetBuffer();
                for (var i = 0; i < indices.Length; i++)
                    grad[indices[i]] += dy[i] * (weights?[i] ?? 1.0);
            }
        }
        """;

    public const string Documented = GeneratorHarness.Usings + """
        namespace User;

        /// <summary>Ops with documentation.</summary>
        public static partial class Documented
        {
            /// <summary>Stretches <paramref name="x"/> by <paramref name="factor"/>, for a <see cref="Variable{T}"/> too.</summary>
            /// <param name="x">The array to scale.</param>
            /// <param name="factor">How much.</param>
            /// <returns>A new array, <c>x * factor</c>.</returns>
            /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
            [DifferentiableOp]
            public static NdArray<T> Stretch<T>(this NdArray<T> x, T factor) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Multiply(x, factor);

            static void StretchBackward<T>(NdArray<T> dy, T factor, GradSlot<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
                => dx.Accumulate(NdArray.Multiply(dy, factor));

            /// <summary>Scales <paramref name="x"/> by <paramref name="mask"/>, which the overloads without it do not have.</summary>
            /// <param name="x">The input.</param>
            /// <param name="mask">
            /// The factors, saved for backward.
            /// </param>
            /// <returns>x times the mask.</returns>
            [DifferentiableOp]
            public static NdArray<T> Thin<T>(NdArray<T> x, out NdArray<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
            {
                mask = NdArray.Full(T.CreateChecked(0.5), x.Shape.ToArray());
                return NdArray.Multiply(x, mask);
            }

            static void ThinBackward<T>(NdArray<T> dy, NdArray<T> mask, GradSlot<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
                => dx.Accumulate(NdArray.Multiply(dy, mask));
        }
        """;

    /// <summary>A sound forward whose backward is missing: overloads that throw, no node (and AG0008).</summary>
    public const string BrokenBackward = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Unfinished
        {
            [DifferentiableOp]
            public static NdArray<double> Pick(NdArray<double> x, int index, out int[] shape)
            {
                shape = x.Shape.ToArray();
                return x.Pick(0, index);
            }
        }
        """;

    /// <summary>An op with a recorded backward (on variables) beside the array one: differentiable to any order.</summary>
    public const string Recorded = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Poly
        {
            [DifferentiableOp(Name = "*")]
            public static NdArray<T> Times<T>(NdArray<T> x1, NdArray<T> x2) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Multiply(x1, x2);

            static void TimesBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx1.IsNeeded) dx1.Accumulate(NdArray.Multiply(dy, x2));
                if (dx2.IsNeeded) dx2.Accumulate(NdArray.Multiply(dy, x1));
            }

            static void TimesBackward<T>(Variable<T> dy, Variable<T> x1, Variable<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx1.IsNeeded) dx1.Accumulate(Times(dy, x2));
                if (dx2.IsNeeded) dx2.Accumulate(Times(dy, x1));
            }
        }
        """;

    // A variadic input mixed with an ordinary array input and a non-array parameter; backward reads the elements.
    public const string Variadic = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Mixing
        {
            [DifferentiableOp(Name = "mix")]
            public static NdArray<T> Mix<T>(NdArray<T>[] xs, NdArray<T> w, double scale = 1.0) where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (xs.Length == 0)
                    throw new ArgumentException("Mix: pass at least one array.", nameof(xs));
                var result = NdArray.Multiply(xs[0], w);
                for (var i = 1; i < xs.Length; i++)
                    result = NdArray.Add(result, NdArray.Multiply(xs[i], w));
                return NdArray.Multiply(result, T.CreateChecked(scale));
            }

            static void MixBackward<T>(NdArray<T> dy, NdArray<T>[] xs, NdArray<T> w, double scale, ReadOnlySpan<GradSlot<T>> dxs, GradSlot<T> dw)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                var scaled = NdArray.Multiply(dy, T.CreateChecked(scale));
                foreach (var slot in dxs)
                {
                    if (slot.IsNeeded) slot.Accumulate(NdArray.Multiply(scaled, w));
                }
                if (dw.IsNeeded)
                {
                    foreach (var x in xs) dw.Accumulate(NdArray.Multiply(scaled, x));
                }
            }
        }
        """;

    // A params variadic input with a recorded backward, so the op is twice differentiable.
    public const string VariadicRecorded = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Products
        {
            [DifferentiableOp]
            public static NdArray<T> Product<T>(params NdArray<T>[] xs) where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (xs.Length == 0)
                    throw new ArgumentException("Product: pass at least one array.", nameof(xs));
                var result = xs[0];
                for (var i = 1; i < xs.Length; i++)
                    result = NdArray.Multiply(result, xs[i]);
                return result.Clone();
            }

            static void ProductBackward<T>(NdArray<T> dy, NdArray<T>[] xs, ReadOnlySpan<GradSlot<T>> dxs) where T : unmanaged, IFloatingPointIeee754<T>
            {
                for (var i = 0; i < dxs.Length; i++)
                {
                    if (!dxs[i].IsNeeded) continue;
                    var g = dy;
                    for (var j = 0; j < xs.Length; j++)
                        g = j == i ? g : NdArray.Multiply(g, xs[j]);
                    dxs[i].Accumulate(g);
                }
            }

            static void ProductBackward<T>(Variable<T> dy, Variable<T>[] xs, ReadOnlySpan<GradSlot<T>> dxs) where T : unmanaged, IFloatingPointIeee754<T>
            {
                for (var i = 0; i < dxs.Length; i++)
                {
                    if (!dxs[i].IsNeeded) continue;
                    var g = dy;
                    for (var j = 0; j < xs.Length; j++)
                        g = j == i ? g : g * xs[j];
                    dxs[i].Accumulate(g);
                }
            }
        }
        """;

    // [SavedFor]: each input of Weigh is read only for the other inputs' gradients (a variadic one among
    // them, saving and named), so a node keeps it only when one of those can need a gradient; Ratio keeps
    // its output only for dx2, for both backwards.
    public const string SavedFor = GeneratorHarness.Usings + """
        namespace User;

        public static partial class Weighing
        {
            [DifferentiableOp]
            public static NdArray<T> Weigh<T>(NdArray<T> x, NdArray<T> scale, NdArray<T>[] terms) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Multiply(NdArray.Multiply(x, scale), Total(terms));

            static void WeighBackward<T>(
                NdArray<T> dy,
                [SavedFor(nameof(dscale), nameof(dterms))] NdArray<T>? x,
                [SavedFor(nameof(dx), nameof(dterms))] NdArray<T>? scale,
                [SavedFor(nameof(dx), nameof(dscale))] NdArray<T>[]? terms,
                GradSlot<T> dx, GradSlot<T> dscale, ReadOnlySpan<GradSlot<T>> dterms) where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, scale!), Total(terms!)));
                if (dscale.IsNeeded) dscale.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, x!), Total(terms!)));
                foreach (var slot in dterms)
                {
                    if (slot.IsNeeded) slot.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, x!), scale!));
                }
            }

            static NdArray<T> Total<T>(NdArray<T>[] terms) where T : unmanaged, IFloatingPointIeee754<T>
            {
                var total = terms[0];
                for (var i = 1; i < terms.Length; i++)
                    total = NdArray.Add(total, terms[i]);
                return total;
            }

            [DifferentiableOp]
            public static NdArray<T> Ratio<T>(NdArray<T> x1, NdArray<T> x2) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Divide(x1, x2);

            static void RatioBackward<T>(NdArray<T> dy, NdArray<T> x2, [SavedFor(nameof(dx2))] NdArray<T>? output, GradSlot<T> dx1, GradSlot<T> dx2)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                dx1.Accumulate(NdArray.Divide(dy, x2));
                if (dx2.IsNeeded) dx2.Accumulate(NdArray.Negate(NdArray.Divide(NdArray.Multiply(dy, output!), x2)));
            }

            static void RatioBackward<T>(Variable<T> dy, Variable<T> x2, Variable<T>? output, GradSlot<T> dx1, GradSlot<T> dx2)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                dx1.Accumulate(dy / x2);
                if (dx2.IsNeeded) dx2.Accumulate(-(dy * output! / x2));
            }
        }
        """;

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        [nameof(Generic)] = Generic,
        [nameof(ConcreteDouble)] = ConcreteDouble,
        [nameof(ConcreteSingle)] = ConcreteSingle,
        [nameof(NonArrayDefaults)] = NonArrayDefaults,
        [nameof(Output)] = Output,
        [nameof(SavedState)] = SavedState,
        [nameof(Nested)] = Nested,
        [nameof(Overloads)] = Overloads,
        [nameof(GlobalNamespace)] = GlobalNamespace,
        [nameof(ThreeInputs)] = ThreeInputs,
        [nameof(ArityLimit)] = ArityLimit,
        [nameof(Extension)] = Extension,
        [nameof(MultipleTypeParameters)] = MultipleTypeParameters,
        [nameof(Interface)] = Interface,
        [nameof(ArrayArguments)] = ArrayArguments,
        [nameof(Documented)] = Documented,
        [nameof(BrokenBackward)] = BrokenBackward,
        [nameof(Recorded)] = Recorded,
        [nameof(Variadic)] = Variadic,
        [nameof(VariadicRecorded)] = VariadicRecorded,
        [nameof(SavedFor)] = SavedFor,
    };
}
