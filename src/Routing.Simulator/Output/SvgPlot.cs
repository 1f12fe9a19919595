using System.Globalization;
using System.Net;
using System.Text;
using Routing.Simulator.Scenario;

namespace Routing.Simulator.Output;

/// <summary>A two-panel SVG of the day: service level per interval and queue length over time, one colour per queue.</summary>
public static class SvgPlot
{
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
    private const int Width = 960, PanelHeight = 260, Left = 60, Right = 180, Top = 40, Gap = 70;

    public static string Render(Aggregate a, SimScenario s)
    {
        var plotWidth = Width - Left - Right;
        var height = Top + 2 * PanelHeight + Gap + 50;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"22\" font-size=\"16\">{Esc(s.Name)}</text>\n");

        double X(double seconds) => Left + plotWidth * Math.Clamp(seconds / s.DurationSeconds, 0, 1);

        // Panel 1: service level per interval (a step line per queue) against 0–100 %.
        var y1 = Top;
        Axes(sb, y1, "service level %", 0, 100, s, X);
        for (var q = 0; q < a.Queues.Length; q++)
        {
            var points = new List<string>();
            for (var i = 0; i < a.Intervals; i++)
            {
                if (a.Cells[q, i].Figures.ServiceLevelPercent is not { } sl) continue;
                var y = y1 + PanelHeight * (1 - sl / 100);
                points.Add(P(X(i * s.IntervalSeconds), y));
                points.Add(P(X(Math.Min(s.DurationSeconds, (i + 1) * s.IntervalSeconds)), y));
            }
            if (points.Count > 0) sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Colour(q)}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>\n");
        }

        // Panel 2: queue length as sampled (mean over replications).
        var y2 = Top + PanelHeight + Gap;
        var samples = a.Runs[0].Samples;
        var max = 1.0;
        var series = new double[a.Queues.Length][];
        for (var q = 0; q < a.Queues.Length; q++)
        {
            series[q] = new double[samples.Count];
            for (var k = 0; k < samples.Count; k++)
            {
                var sum = 0.0;
                foreach (var r in a.Runs) sum += k < r.Samples.Count ? r.Samples[k].Lengths[q] : 0;
                series[q][k] = sum / a.Runs.Count;
                max = Math.Max(max, series[q][k]);
            }
        }
        max = NiceCeiling(max);
        Axes(sb, y2, "callers waiting", 0, max, s, X);
        for (var q = 0; q < a.Queues.Length; q++)
        {
            var points = new List<string>(samples.Count);
            for (var k = 0; k < samples.Count; k++) points.Add(P(X(samples[k].At), y2 + PanelHeight * (1 - series[q][k] / max)));
            if (points.Count > 0) sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Colour(q)}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>\n");
        }

        // Legend.
        for (var q = 0; q < a.Queues.Length; q++)
        {
            var ly = Top + 10 + 18 * q;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 15}\" y=\"{ly - 9}\" width=\"12\" height=\"12\" fill=\"{Colour(q)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 32}\" y=\"{ly + 1}\">{Esc(a.Queues[q].Value)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Axes(StringBuilder sb, double top, string label, double min, double max, SimScenario s, Func<double, double> x)
    {
        var bottom = top + PanelHeight;
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{Width - Left - Right}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{top - 8}\" font-weight=\"bold\">{Esc(label)}</text>\n");
        for (var k = 0; k <= 4; k++)
        {
            var v = min + (max - min) * k / 4;
            var y = bottom - PanelHeight * k / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#eee\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{v:0.#}</text>\n");
        }
        // Time ticks: about eight, on whole intervals.
        var step = Math.Max(1, (int)Math.Ceiling(s.IntervalCount / 8.0));
        for (var i = 0; i <= s.IntervalCount; i += step)
        {
            var t = Math.Min(s.DurationSeconds, i * s.IntervalSeconds);
            var clock = s.Start.AddSeconds(t).ToString("HH:mm", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x(t):0.#}\" y=\"{bottom + 16}\" text-anchor=\"middle\">{clock}</text>\n");
        }
    }

    private static double NiceCeiling(double v)
    {
        var p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static string Colour(int q) => Colours[q % Colours.Length];
    private static string P(double x, double y) => string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");
    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
