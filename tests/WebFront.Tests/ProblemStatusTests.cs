using Microsoft.AspNetCore.Http;
using Npgsql;
using TicketFlow.WebFront;

namespace TicketFlow.WebFront.Tests;

/// <summary>What a request that threw answers: a database outage (down, restarting, full) is a retryable 503, not a 500.</summary>
public sealed class ProblemStatusTests
{
    [Fact]
    public async Task A_database_nobody_listens_for_is_a_503()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Timeout=2");
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await dataSource.OpenConnectionAsync());
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, Problems.StatusFor(error));
    }

    [Fact]
    public void A_connection_failure_a_silo_reported_through_a_grain_call_is_a_503() =>
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, Problems.StatusFor(new NpgsqlException("Exception while reading from stream")));

    [Theory]
    [InlineData("57P01")] // terminating connection due to administrator command (a restart)
    [InlineData("57P03")] // the database system is starting up / shutting down
    [InlineData("53300")] // too many clients
    public void A_restarting_or_full_database_is_a_503(string sqlState) =>
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, Problems.StatusFor(new PostgresException("outage", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void A_constraint_violation_is_still_a_500() =>
        Assert.Equal(StatusCodes.Status500InternalServerError, Problems.StatusFor(new PostgresException("bug", "ERROR", "ERROR", "23505")));

    [Fact]
    public void A_bad_request_keeps_its_status() =>
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, Problems.StatusFor(new BadHttpRequestException("too big", StatusCodes.Status413PayloadTooLarge)));
}
