using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace TicketFlow.Benchmarks;

/// <summary>
/// Seat-delta lag: a SignalR client (as the event page's script) subscribed to the demo stadium receives <c>seats</c> messages while
/// another client holds two seats every 200 ms through <c>POST /holds</c> and releases them again. For each seat change the lag is
/// from the moment the hold's (or release's) HTTP answer arrived (the change is durable then) to the <c>seats</c> message naming the
/// seat in its new state; a WebFront process, embedded silo.
/// </summary>
public static class SeatLagBenchmark
{
    private const string EventId = "evt_demo_053";

    public static async Task RunAsync(TimeSpan duration)
    {
        // One buyer holds and releases over and over: the per-user purchase limit would stop it after 30 a minute.
        await using var webFront = await WebFrontProcess.StartAsync(("RateLimits:Purchase:PermitLimit", "1000000"));
        var http = webFront.Http;
        var token = await TokenAsync(http, "seat-lag@example.com");
        var pointer = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/events/{EventId}/seatmap")).RootElement;
        var layout = JsonDocument.Parse(await http.GetStringAsync(pointer.GetProperty("url").GetString()!)).RootElement;
        var section = layout.GetProperty("sections").EnumerateArray().First(s => s.GetProperty("id").GetString() == "U101");
        var pairs = section.GetProperty("rows").EnumerateArray()
            .SelectMany(r => r.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Chunk(2).Where(c => c.Length == 2)).ToList();

        var seen = new ConcurrentDictionary<(string Seat, string State), long>(); // when the message arrived (Stopwatch ticks)
        long messages = 0;
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(new Uri(webFront.BaseUrl), "/hubs/availability")).Build();
        hub.On<JsonElement>("seats", message =>
        {
            var at = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref messages);
            foreach (var change in message.GetProperty("changed").EnumerateArray())
                seen.TryAdd((change.GetProperty("seatId").GetString()!, change.GetProperty("state").GetString()!), at);
        });
        await hub.StartAsync();
        await hub.InvokeAsync<JsonElement?>("Subscribe", EventId);
        await http.GetStringAsync($"/api/v1/events/{EventId}/seatmap/status"); // the WebFront watches the sections from here on

        var answered = new List<(string Seat, string State, long At, long Sent)>();
        var clock = Stopwatch.StartNew();
        var warmUp = TimeSpan.FromSeconds(3);
        long failures = 0;
        for (var i = 0; clock.Elapsed < warmUp + duration; i++)
        {
            var seats = pairs[i % pairs.Count];
            using var hold = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds")
            {
                Headers = { { "Authorization", "Bearer " + token }, { "Idempotency-Key", $"lag-{Guid.NewGuid():N}" } },
                Content = JsonContent.Create(new { eventId = EventId, items = new[] { new { tierId = $"{EventId}-upper", seats } } }),
            };
            var holdSent = Stopwatch.GetTimestamp();
            using var held = await http.SendAsync(hold);
            var heldAt = Stopwatch.GetTimestamp();
            if (!held.IsSuccessStatusCode) { failures++; await Task.Delay(200); continue; }
            var holdId = JsonDocument.Parse(await held.Content.ReadAsStringAsync()).RootElement.GetProperty("holdId").GetString();
            await Task.Delay(100);
            using var release = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/holds/{holdId}") { Headers = { { "Authorization", "Bearer " + token } } };
            var releaseSent = Stopwatch.GetTimestamp();
            using var released = await http.SendAsync(release);
            var releasedAt = Stopwatch.GetTimestamp();
            if (clock.Elapsed > warmUp)
            {
                answered.AddRange(seats.Select(s => (s, "held", heldAt, holdSent)));
                if (released.IsSuccessStatusCode) answered.AddRange(seats.Select(s => (s, "free", releasedAt, releaseSent)));
                else failures++;
            }
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // the last deltas

        // Each seat of U101 is held and freed once in a run (its ~350 pairs outlast it), so a (seat, state) names one change. The
        // message may come before the HTTP answer (both leave after the durable commit): that lag is negative.
        // The commit lies between the request going out and its answer: the two lags bound the lag from commit.
        var lags = new List<double>();
        var fromSent = new List<double>();
        long missed = 0;
        foreach (var (seat, state, at, sent) in answered)
        {
            if (!seen.TryGetValue((seat, state), out var arrived)) { missed++; continue; }
            lags.Add((arrived - at) * 1000.0 / Stopwatch.Frequency);
            fromSent.Add((arrived - sent) * 1000.0 / Stopwatch.Frequency);
        }
        Console.WriteLine($"{Environment.ProcessorCount} cores; {duration.TotalSeconds} s measured after a {warmUp.TotalSeconds} s warm-up; one SignalR client subscribed to {EventId}; " +
            $"one buyer holding 2 exact seats of section U101 every ~200 ms and releasing them 100 ms later");
        Console.WriteLine();
        Console.WriteLine("| lag to the seats message, measured from | seat changes timed | seats messages | p50 ms | p95 ms | max ms | min ms | not received | failed calls |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, list) in new[] { ("the HTTP answer (after the commit)", lags), ("the request sent (before the commit)", fromSent) })
        {
            list.Sort();
            double P(double q) => list.Count == 0 ? double.NaN : list[Math.Min(list.Count - 1, (int)Math.Ceiling(q * list.Count) - 1)];
            Console.WriteLine($"| {name} | {list.Count} | {messages} | {P(0.5):0.0} | {P(0.95):0.0} | {(list.Count == 0 ? double.NaN : list[^1]):0.0} | {(list.Count == 0 ? double.NaN : list[0]):0.0} | {missed} | {failures} |");
        }
    }

    private static async Task<string> TokenAsync(HttpClient http, string email)
    {
        (await http.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "benchmark-quartz-lantern-1", name = "Bench" })).Dispose();
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "benchmark-quartz-lantern-1" });
        login.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }
}
