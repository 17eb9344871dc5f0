namespace TicketFlow.WebFront.Cluster;

/// <summary>WebFront is not connected to the cluster (yet): the request is refused before anything is sent (503, Retry-After).</summary>
public sealed class ClusterUnavailableException(string state) : OrleansException($"The cluster is not reachable: {state}.");
