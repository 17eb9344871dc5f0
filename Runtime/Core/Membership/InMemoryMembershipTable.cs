namespace TicketFlow.Runtime.Membership;

/// <summary>Membership for embedded mode: one process, one silo, nothing to share.</summary>
public sealed class InMemoryMembershipTable(TimeProvider time) : IMembershipTable
{
    private readonly Lock gate = new();
    private readonly Dictionary<SiloAddress, (SiloStatus Status, DateTimeOffset Heartbeat)> rows = [];
    private long version;

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<SiloAddress> RegisterAsync(string endpoint, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var previous = rows.Keys.Where(s => s.Endpoint == endpoint).Select(s => s.Generation).DefaultIfEmpty(0).Max();
            var silo = new SiloAddress(endpoint, Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds() * 1000, previous + 1));
            foreach (var older in rows.Keys.Where(s => s.Endpoint == endpoint).ToList()) rows[older] = (SiloStatus.Dead, rows[older].Heartbeat);
            rows[silo] = (SiloStatus.Joining, time.GetUtcNow());
            version++;
            return Task.FromResult(silo);
        }
    }

    public Task<bool> SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!rows.TryGetValue(silo, out var row) || row.Status >= status) return Task.FromResult(false);
            rows[silo] = (status, row.Heartbeat);
            version++;
            return Task.FromResult(true);
        }
    }

    public bool Heartbeat(SiloAddress silo)
    {
        lock (gate)
        {
            if (!rows.TryGetValue(silo, out var row) || row.Status == SiloStatus.Dead) return false;
            rows[silo] = (row.Status, time.GetUtcNow());
            return true;
        }
    }

    public bool DeclareDead(SiloAddress silo, TimeSpan timeout, SiloAddress judge)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (!rows.TryGetValue(silo, out var row) || row.Status == SiloStatus.Dead || now - row.Heartbeat <= timeout) return false;
            if (!rows.TryGetValue(judge, out var judgeRow) || judgeRow.Status == SiloStatus.Dead || now - judgeRow.Heartbeat >= timeout / 2) return false;
            rows[silo] = (SiloStatus.Dead, row.Heartbeat);
            version++;
            return true;
        }
    }

    public Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(Read());

    public MembershipSnapshot Read()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            var entries = rows.OrderBy(r => r.Key.Endpoint, StringComparer.Ordinal).ThenBy(r => r.Key.Generation)
                .Select(r => new MembershipEntry(r.Key, r.Value.Status, now - r.Value.Heartbeat)).ToList();
            return new MembershipSnapshot(version, entries);
        }
    }
}
