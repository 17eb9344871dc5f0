using Npgsql;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Reminders;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Hosting;

/// <summary>The three durable parts a silo needs: grain state, reminders and membership.</summary>
public sealed record RuntimeStores(IGrainStorage Storage, IReminderTable Reminders, IMembershipTable Membership)
{
    /// <summary>Cluster mode: everything in PostgreSQL.</summary>
    /// <param name="membershipAgent">The heartbeats' own small pool (<see cref="PostgresMembershipTable.CreateAgentDataSource"/>);
    /// a silo process should pass one, or a burst that holds every storage connection delays its heartbeats.</param>
    public static RuntimeStores PostgreSql(NpgsqlDataSource dataSource, ClusterOptions cluster, NpgsqlDataSource? membershipAgent = null) => new(
        new PostgresGrainStorage(dataSource, cluster.ServiceId),
        new PostgresReminderTable(dataSource, cluster.ServiceId),
        new PostgresMembershipTable(dataSource, cluster.ClusterId, membershipAgent));

    /// <summary>Embedded mode: state and reminders in a SQLite file, membership in memory (one silo).</summary>
    public static RuntimeStores Sqlite(string path, ClusterOptions cluster, TimeProvider time)
    {
        var database = new SqliteDatabase(path);
        return new(new SqliteGrainStorage(database, cluster.ServiceId), new SqliteReminderTable(database, cluster.ServiceId), new InMemoryMembershipTable(time));
    }
}
