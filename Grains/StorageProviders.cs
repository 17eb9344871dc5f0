namespace TicketFlow.Grains;

/// <summary>Names of the Orleans storage providers grains use; the silo's hosting registers them.</summary>
public static class StorageProviders
{
    /// <summary>Grain state (<c>[PersistentState(name, State)]</c>): Orleans' ADO.NET grain storage, PostgreSQL or the SQLite file.</summary>
    public const string State = "state";
}
