using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Npgsql;
using TicketFlow.Grains;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Security;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Storage;

// A silo process: joins the cluster in PostgreSQL, serves grain calls over HTTP/2, leaves gracefully on SIGTERM.
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();

var connectionString = configuration["TICKETFLOW_POSTGRES"] ?? configuration.GetConnectionString("Postgres");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("A silo needs PostgreSQL: set TICKETFLOW_POSTGRES (or ConnectionStrings__Postgres) to a connection string.");
    return 64;
}

var signingKey = configuration["TICKETFLOW_SIGNING_KEY"];
if (string.IsNullOrWhiteSpace(signingKey))
{
    Console.Error.WriteLine("A silo signs waiting-room admission tokens: set TICKETFLOW_SIGNING_KEY to the WebFronts' key (at least 32 random bytes, base64).");
    return 64;
}

var cluster = configuration.GetSection("Cluster").Get<ClusterOptions>() ?? new ClusterOptions();
var silo = configuration.GetSection("Silo").Get<SiloOptions>() ?? new SiloOptions();
var dataSource = NpgsqlDataSource.Create(connectionString);
var membershipAgentDataSource = PostgresMembershipTable.CreateAgentDataSource(connectionString);
if (!await DatabaseReachableAsync(dataSource, TimeSpan.FromSeconds(60))) return 69;

var hostOptions = new SiloHostOptions
{
    ListenAddress = IPAddress.Parse(configuration["Silo:ListenAddress"] ?? "127.0.0.1"),
    Port = int.Parse(configuration["Silo:Port"] ?? "11111"),
    AdvertisedHost = configuration["Silo:AdvertisedHost"],
    Stores = _ => RuntimeStores.PostgreSql(dataSource, cluster, membershipAgentDataSource),
    GrainAssemblies = GrainAssemblies.All,
    Cluster = cluster,
    Silo = silo,
    // The checkout grains' order book and payment gateway, on the cluster's PostgreSQL.
    ConfigureServices = services => services
        .AddSingleton(SigningKey.FromBase64(signingKey.Trim()))
        .AddPurchaseServices(configuration, _ => SqlStoreDatabase.PostgreSql(dataSource))
        .AddWaitingRoomServices(configuration),
    ConfigureLogging = logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }),
};
// PostgreSQL may go away while the silo starts (a restart): start again rather than exit, for up to a minute.
var startDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
SiloHost host;
while (true)
{
    try
    {
        host = await SiloHost.StartAsync(hostOptions, CancellationToken.None);
        break;
    }
    catch (Exception failure) when (DatabaseErrors.IsOutage(failure) && DateTime.UtcNow < startDeadline)
    {
        Console.Error.WriteLine($"Start failed while PostgreSQL was unavailable ({failure.GetBaseException().Message}); starting again.");
        if (!await DatabaseReachableAsync(dataSource, TimeSpan.FromSeconds(60))) return 69;
    }
}
Console.WriteLine($"Silo {host.Runtime.Address} is serving grains on http://{host.Endpoint} (cluster '{cluster.ClusterId}').");

var shutdown = new TaskCompletionSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; shutdown.TrySetResult(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; shutdown.TrySetResult(); });

if (await Task.WhenAny(shutdown.Task, host.Runtime.Stopped) == shutdown.Task)
{
    await host.StopAsync(CancellationToken.None);
    await host.DisposeAsync();
    return 0;
}

// The cluster declared this silo dead (it missed heartbeats): its identity never returns, so the process exits.
Console.Error.WriteLine($"Silo {host.Runtime.Address} was declared dead by the cluster and has stopped.");
await host.KillAsync();
return 3;

// Waits out a database that is starting or restarting (as under a supervisor or a PostgreSQL restart), so the silo does
// not fail its start on a transient error; a database still unreachable after the deadline is reported and the exit says so.
static async Task<bool> DatabaseReachableAsync(NpgsqlDataSource dataSource, TimeSpan deadline)
{
    var until = DateTime.UtcNow + deadline;
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            await using var probe = dataSource.CreateCommand("SELECT 1");
            await probe.ExecuteScalarAsync();
            return true;
        }
        catch (NpgsqlException failure) when (DatabaseErrors.IsOutage(failure))
        {
            if (DateTime.UtcNow > until)
            {
                Console.Error.WriteLine($"PostgreSQL is not reachable after {deadline.TotalSeconds:0} s: {failure.Message}");
                return false;
            }
            Console.Error.WriteLine($"Waiting for PostgreSQL (attempt {attempt}): {failure.Message}");
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * attempt)));
        }
    }
}
