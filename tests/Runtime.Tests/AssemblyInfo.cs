// Cluster tests measure failure detection in seconds; running them side by side on two cores would starve heartbeats.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
