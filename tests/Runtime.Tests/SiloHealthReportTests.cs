using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Runtime.Statistics;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

public sealed class SiloHealthReportTests
{
    private sealed class Switch : ISiloHealthSource
    {
        public string Name => "gateway";

        public string State { get; set; } = "closed";
    }

    [Fact]
    public async Task A_silos_health_sources_travel_in_its_report_to_clients()
    {
        var breaker = new Switch();
        var options = ClusterFixture.Options(silos: 1);
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            InitialSilos = 1,
            GrainAssemblies = options.GrainAssemblies,
            ConfigureServices = services => services.AddSingleton<ISiloHealthSource>(breaker),
        });

        Assert.Equal("closed", (await cluster.Client.GetSiloReportsAsync(CancellationToken.None)).Single().Health["gateway"]);
        breaker.State = "open";
        Assert.Equal("open", (await cluster.Client.GetSiloReportsAsync(CancellationToken.None)).Single().Health["gateway"]);
    }
}
