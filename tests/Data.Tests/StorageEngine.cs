using Microsoft.Data.Sqlite;
using TicketFlow.Hosting.Storage;
using TicketFlow.Testing;

namespace TicketFlow.Data.Tests;

/// <summary>One of the two places TicketFlow keeps state, fresh for a test class: the tests' PostgreSQL, or a new SQLite file.</summary>
public abstract class StorageEngine : IAsyncLifetime
{
    public abstract ClusterStorage Storage { get; }

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    public sealed class PostgreSql : StorageEngine
    {
        private ClusterStorage? storage;

        public override ClusterStorage Storage => storage!;

        public override async Task InitializeAsync() => storage = ClusterStorage.PostgreSql(await TestDatabase.DataSourceAsync());
    }

    public sealed class Sqlite : StorageEngine
    {
        private readonly string folder = Directory.CreateTempSubdirectory("tf-sqlite-").FullName;
        private ClusterStorage? storage;

        public override ClusterStorage Storage => storage!;

        public override Task InitializeAsync()
        {
            storage = ClusterStorage.Sqlite(new SqliteDatabase(Path.Combine(folder, "ticketflow.db")));
            return Task.CompletedTask;
        }

        public override Task DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}
