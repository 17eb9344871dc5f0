namespace TicketFlow.Grains.Purchases;

/// <summary>How the checkout saga recovers (configuration section <c>Checkout</c>).</summary>
public sealed class CheckoutOptions
{
    /// <summary>How long after a step is stored the resume reminder first fires if the saga has not finished. Default 30 s.</summary>
    public TimeSpan ResumeAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the reminder fires again while the saga is unfinished. Default 1 min.</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);
}
