using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace TicketFlow.Runtime.Statistics;

/// <summary>
/// Listens to TicketFlow's meters (counters, double histograms, long gauges) and renders them in the Prometheus text
/// format at <c>/metrics</c> of WebFronts and silos
/// (the prometheus-net and OpenTelemetry Prometheus packages do not restore here).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), Series> series = new();
    private readonly ConcurrentDictionary<string, (string Type, string Help)> families = new();

    /// <param name="meters">The host's meter factory: meters it created belong to this host and are exported; meters of
    /// another host's factory (several hosts in one process) are not. Process-wide meters (no factory) always are.</param>
    public PrometheusExporter(IMeterFactory? meters = null)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (!instrument.Meter.Name.StartsWith("TicketFlow", StringComparison.Ordinal)) return;
            if (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, meters)) return;
            var type = instrument switch { Histogram<double> => "histogram", ObservableGauge<long> => "gauge", _ => "counter" };
            families[instrument.Name] = (type, instrument.Description ?? instrument.Name);
            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument is ObservableGauge<long>) Get(instrument.Name, tags).Set(value);
            else Get(instrument.Name, tags).Add(value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Get(instrument.Name, tags).Observe(value));
        listener.Start();
    }

    private Series Get(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
        {
            if (labels.Length > 0) labels.Append(',');
            labels.Append(tag.Key).Append("=\"").Append(Escape(tag.Value?.ToString() ?? "")).Append('"');
        }
        return series.GetOrAdd((name, labels.ToString()), static _ => new Series());
    }

    public string Render()
    {
        listener.RecordObservableInstruments(); // gauges report their current value now
        var text = new StringBuilder();
        foreach (var group in series.GroupBy(s => s.Key.Name).OrderBy(g => g.Key))
        {
            var (type, help) = families[group.Key];
            text.Append("# HELP ").Append(group.Key).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(group.Key).Append(' ').Append(type).Append('\n');
            foreach (var ((name, labels), value) in group.OrderBy(s => s.Key.Labels))
            {
                if (type is "counter" or "gauge")
                {
                    text.Append(name).Append(labels.Length > 0 ? $"{{{labels}}}" : "").Append(' ').Append(value.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    continue;
                }
                var separator = labels.Length > 0 ? "," : "";
                long cumulative = 0;
                for (var i = 0; i < Bounds.Length; i++)
                {
                    cumulative += Interlocked.Read(ref value.Buckets[i]);
                    text.Append(name).Append("_bucket{").Append(labels).Append(separator).Append("le=\"").Append(Bounds[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative).Append('\n');
                }
                text.Append(name).Append("_bucket{").Append(labels).Append(separator).Append("le=\"+Inf\"} ").Append(value.Count).Append('\n');
                text.Append(name).Append("_sum").Append(labels.Length > 0 ? $"{{{labels}}}" : "").Append(' ').Append(value.Sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_count").Append(labels.Length > 0 ? $"{{{labels}}}" : "").Append(' ').Append(value.Count).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    public void Dispose() => listener.Dispose();

    private sealed class Series
    {
        private readonly Lock gate = new();
        public readonly long[] Buckets = new long[Bounds.Length];
        public long Count;
        public double Sum;

        public void Add(long value) => Interlocked.Add(ref Count, value);

        public void Set(long value) => Interlocked.Exchange(ref Count, value);

        public void Observe(double value)
        {
            var bucket = Array.FindIndex(Bounds, bound => value <= bound);
            lock (gate)
            {
                if (bucket >= 0) Buckets[bucket]++;
                Count++;
                Sum += value;
            }
        }
    }
}
