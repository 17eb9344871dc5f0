namespace TicketFlow.LoadTool;

/// <summary>Catalog and availability reads, anonymous, over the events the catalog lists (one is created if it lists none).</summary>
public static class BrowseScenario
{
    public static async Task<ScenarioResult> RunAsync(Api api, Buyers buyers, LoadOptions options, Recorder recorder)
    {
        var result = new ScenarioResult("browse");
        var listed = await api.SendAsync("setup: GET /events", HttpMethod.Get, "/api/v1/events?limit=100");
        var events = listed.Ok ? listed.Body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList() : [];
        if (events.Count == 0)
        {
            var (created, _) = await Setup.CreateEventAsync(api, await buyers.AdminTokenAsync(), $"Browse {buyers.RunId}", false, 600, [1000, 1000], 4);
            events.Add(created);
        }
        result.Parameters["events"] = events.Count.ToString();

        // A visitor's mix: mostly availability (the page polls it), some event pages, a few searches.
        Task Call(long n)
        {
            var id = events[(int)(n % events.Count)];
            return (n % 10) switch
            {
                0 => api.SendAsync("GET /events", HttpMethod.Get, "/api/v1/events?limit=20", clientIp: Buyers.Address((int)(n % 50_000))),
                1 or 2 or 3 => api.SendAsync("GET /events/{id}", HttpMethod.Get, $"/api/v1/events/{id}", clientIp: Buyers.Address((int)(n % 50_000))),
                _ => api.SendAsync("GET /events/{id}/availability", HttpMethod.Get, $"/api/v1/events/{id}/availability", clientIp: Buyers.Address((int)(n % 50_000))),
            };
        }

        await Drivers.ClosedLoopAsync(32, TimeSpan.FromSeconds(2), Call); // warm-up: connections, JIT, caches
        recorder.Reset();
        var skipped = await Run(options, Call, recorder, () => "");
        recorder.Stop();
        result.Figure("requests not sent (tool over its in-flight cap)", skipped);
        return result;
    }

    /// <summary>The configured loop (open with --rate, else closed with --concurrency or 64 callers), with a progress line.</summary>
    public static async Task<long> Run(LoadOptions options, Func<long, Task> call, Recorder recorder, Func<string> detail)
    {
        var load = options.Rate is { } rate
            ? Drivers.OpenLoopAsync(rate, options.Duration, call)
            : Drivers.ClosedLoopAsync(options.Concurrency ?? 64, options.Duration, call);
        await Drivers.ProgressAsync(recorder, detail, load);
        return await load;
    }
}
