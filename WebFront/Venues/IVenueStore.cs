using TicketFlow.Domain.Seating;

namespace TicketFlow.WebFront.Venues;

/// <param name="LayoutVersion">The venue's current layout version (1 for the first); every version stays readable.</param>
public sealed record VenueInfo(string Id, string Name, string City, string Address, int LayoutVersion);

/// <summary>Venues and their layout versions (PostgreSQL in a cluster, SQLite embedded). A stored layout version never changes.</summary>
public interface IVenueStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new venue with its first layout (version 1).</summary>
    Task CreateAsync(VenueInfo venue, VenueLayout layout, CancellationToken cancellationToken);

    Task<VenueInfo?> GetAsync(string venueId, CancellationToken cancellationToken);

    Task<IReadOnlyList<VenueInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Stores the next layout version and makes it current; null when no venue has this id.</summary>
    Task<int?> AddLayoutVersionAsync(string venueId, VenueLayout layout, CancellationToken cancellationToken);

    Task<VenueLayout?> GetLayoutAsync(string venueId, int version, CancellationToken cancellationToken);
}
