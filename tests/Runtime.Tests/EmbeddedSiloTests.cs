using TicketFlow.Runtime.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Tests.Grains;

namespace TicketFlow.Runtime.Tests;

/// <summary>Embedded mode: one silo in the process, SQLite file storage, in-memory membership.</summary>
public sealed class EmbeddedSiloTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"tf-embedded-{Guid.NewGuid():N}", "ticketflow.db");

    private SiloRuntime NewSilo() => new(
        RuntimeStores.Sqlite(path, new ClusterOptions(), TimeProvider.System),
        [typeof(ClusterFixture).Assembly], new ClusterOptions(),
        new SiloOptions { ReminderPollPeriod = TimeSpan.FromMilliseconds(100), MinimumReminderPeriod = TimeSpan.FromMilliseconds(100) },
        new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    [Fact]
    public async Task State_written_before_a_restart_is_read_after_it()
    {
        await using (var silo = NewSilo())
        {
            await silo.StartAsync("embedded", CancellationToken.None);
            var counter = silo.GrainFactory.GetGrain<ICounterGrain>("embedded-counter");
            await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => counter.IncrementBatched()));
            await counter.Increment();
            await silo.StopAsync(CancellationToken.None);
        }
        await using (var restarted = NewSilo())
        {
            await restarted.StartAsync("embedded", CancellationToken.None);
            Assert.Equal(501, await restarted.GrainFactory.GetGrain<ICounterGrain>("embedded-counter").Get());
            await restarted.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Reminders_fire_in_embedded_mode()
    {
        await using var silo = NewSilo();
        await silo.StartAsync("embedded", CancellationToken.None);
        var grain = silo.GrainFactory.GetGrain<IReminderProbeGrain>("embedded-reminder");
        await grain.Start(TimeSpan.FromMilliseconds(150));
        var log = await Eventually.Get(grain.Log, l => l.Ticks >= 3);
        Assert.Equal([silo.Address.ToString()], log.Silos);
        await grain.Stop();
        await silo.StopAsync(CancellationToken.None);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
