using Npgsql;
using TicketFlow.Data;

namespace TicketFlow.Data.Tests;

public sealed class PostgresDataSourceTests
{
    [Fact]
    public void Pooled_connections_are_not_reset_and_repeated_statements_are_prepared()
    {
        using var dataSource = PostgresDataSource.Create("Host=db.internal;Username=ticketflow;Password=secret");

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal((true, 64, "db.internal"), (settings.NoResetOnClose, settings.MaxAutoPrepare, settings.Host));
    }

    [Theory]
    [InlineData("Host=db.internal;Username=ticketflow;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db.internal;Username=ticketflow;NoResetOnClose=false;MaxAutoPrepare=0")]
    public void What_the_connection_string_sets_wins(string connectionString)
    {
        using var dataSource = PostgresDataSource.Create(connectionString);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal((false, 0), (settings.NoResetOnClose, settings.MaxAutoPrepare));
    }
}
