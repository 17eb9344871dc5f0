using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

public sealed class MembershipTableTests
{
    private static async Task<PostgresMembershipTable> NewTableAsync()
    {
        var table = new PostgresMembershipTable(await TestDatabase.DataSourceAsync(), TestDatabase.UniqueId("membership"));
        await table.InitializeAsync(CancellationToken.None);
        return table;
    }

    [Fact]
    public async Task A_silo_moves_forward_through_its_states_and_never_back()
    {
        var table = await NewTableAsync();
        var silo = await table.RegisterAsync("10.0.0.1:11111", CancellationToken.None);
        Assert.Equal(SiloStatus.Joining, (await table.ReadAsync(CancellationToken.None)).Entries.Single().Status);

        Assert.True(await table.SetStatusAsync(silo, SiloStatus.Active, CancellationToken.None));
        Assert.False(await table.SetStatusAsync(silo, SiloStatus.Joining, CancellationToken.None));
        Assert.True(await table.SetStatusAsync(silo, SiloStatus.ShuttingDown, CancellationToken.None));
        Assert.True(await table.SetStatusAsync(silo, SiloStatus.Dead, CancellationToken.None));
        Assert.False(await table.SetStatusAsync(silo, SiloStatus.Active, CancellationToken.None));
        Assert.False(table.Heartbeat(silo));
    }

    [Fact]
    public async Task A_restarted_silo_gets_a_new_generation_and_its_old_identity_is_dead()
    {
        var table = await NewTableAsync();
        var first = await table.RegisterAsync("10.0.0.1:11111", CancellationToken.None);
        await table.SetStatusAsync(first, SiloStatus.Active, CancellationToken.None);
        var second = await table.RegisterAsync("10.0.0.1:11111", CancellationToken.None);

        Assert.True(second.Generation > first.Generation);
        var view = new MembershipView(await table.ReadAsync(CancellationToken.None));
        Assert.Equal(SiloStatus.Dead, view.StatusOf(first));
        Assert.False(table.Heartbeat(first));
        Assert.True(table.Heartbeat(second));
    }

    [Fact]
    public async Task Only_a_silo_whose_heartbeat_is_stale_can_be_declared_dead()
    {
        var table = await NewTableAsync();
        var silo = await table.RegisterAsync("10.0.0.2:11111", CancellationToken.None);
        var judge = await table.RegisterAsync("10.0.0.3:11111", CancellationToken.None);
        await table.SetStatusAsync(silo, SiloStatus.Active, CancellationToken.None);
        Assert.False(table.DeclareDead(silo, TimeSpan.FromMinutes(1), judge));

        var snapshot = await Eventually.Get(() => table.ReadAsync(CancellationToken.None), s => s.Entries.First(e => e.Silo == silo).HeartbeatAge > TimeSpan.FromMilliseconds(300));
        Assert.True(table.Heartbeat(judge));
        Assert.True(table.DeclareDead(silo, TimeSpan.FromMilliseconds(300), judge));
        var after = await table.ReadAsync(CancellationToken.None);
        Assert.True(after.Version > snapshot.Version, "every change bumps the table version");
        Assert.Equal(SiloStatus.Dead, after.Entries.First(e => e.Silo == silo).Status);
    }

    [Fact]
    public async Task A_judge_whose_own_heartbeat_is_stale_declares_no_one_dead()
    {
        var table = await NewTableAsync();
        var silo = await table.RegisterAsync("10.0.0.4:11111", CancellationToken.None);
        var judge = await table.RegisterAsync("10.0.0.5:11111", CancellationToken.None);
        // Both fall silent, as when the database stalls for everyone: the judge is as stale as its suspect.
        await Eventually.Get(() => table.ReadAsync(CancellationToken.None), s => s.Entries.All(e => e.HeartbeatAge > TimeSpan.FromMilliseconds(300)));

        Assert.False(table.DeclareDead(silo, TimeSpan.FromMilliseconds(300), judge));
        Assert.True(table.Heartbeat(judge));
        Assert.True(table.DeclareDead(silo, TimeSpan.FromMilliseconds(300), judge));
    }

    [Fact]
    public async Task The_ring_gives_every_grain_exactly_one_owner_among_active_silos()
    {
        var table = await NewTableAsync();
        var silos = new List<SiloAddress>();
        for (var i = 0; i < 3; i++)
        {
            var silo = await table.RegisterAsync($"10.0.0.{i}:11111", CancellationToken.None);
            await table.SetStatusAsync(silo, SiloStatus.Active, CancellationToken.None);
            silos.Add(silo);
        }
        await table.SetStatusAsync(silos[2], SiloStatus.ShuttingDown, CancellationToken.None);
        var view = new MembershipView(await table.ReadAsync(CancellationToken.None));

        var owners = Enumerable.Range(0, 1000).Select(i => view.OwnerOf(new Invocation.GrainId("t", $"k{i}"))!.Value).ToList();
        Assert.Equal(silos.Take(2).OrderBy(s => s.ToString()), owners.Distinct().OrderBy(s => s.ToString()));
    }
}
