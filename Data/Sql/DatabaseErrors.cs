using Npgsql;

namespace TicketFlow.Data;

/// <summary>Which database errors mean "PostgreSQL is unavailable right now" (worth retrying) rather than "this statement is wrong".</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// True for a server restarting, shutting down or full (57P01–57P03, 53300) and for connection-level failures
    /// (refused, reset, timed out), also when wrapped or rethrown by a grain call; false for a statement the server refused.
    /// </summary>
    public static bool IsOutage(Exception error) => error switch
    {
        PostgresException postgres => postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException => true,
        AggregateException all => all.InnerExceptions.Count > 0 && all.InnerExceptions.All(IsOutage),
        _ => error.InnerException is { } inner && IsOutage(inner),
    };
}
