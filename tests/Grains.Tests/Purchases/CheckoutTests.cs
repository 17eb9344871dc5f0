using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;

namespace TicketFlow.Grains.Tests.Purchases;

public sealed class CheckoutTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static readonly HoldView Hold = new("evt.h", "evt", "ann", [new HoldLine("t1", 2, 5000, new TierTerms(10, 4))], "USD", Now, Now.AddMinutes(10),
        HoldStates.Active, CheckingOut: true, OrderId: null);

    private static Checkout Started() => Checkout.Start("ord_h", "evt.h", "evt", "ann", null, Now);

    [Fact]
    public void The_happy_path_goes_verified_paying_paid_confirmed_completed()
    {
        var done = Started().Verified(Hold, Now).Paying(Now).Captured(Now).SeatsConfirmed(Now).OrderIssued(Now);
        Assert.Equal(CheckoutStep.Completed, done.Step);
        Assert.Equal(10_000, done.TotalMinor);
        Assert.True(done.IsFinished);
    }

    [Fact]
    public void Money_may_have_moved_from_paying_until_the_order_or_the_refund_so_those_steps_resume()
    {
        var paying = Started().Verified(Hold, Now).Paying(Now);
        Assert.True(paying.NeedsResume);
        Assert.True(paying.Captured(Now).NeedsResume);
        Assert.True(paying.Captured(Now).Refund("hold_expired", Now).NeedsResume);
        Assert.False(Started().Verified(Hold, Now).NeedsResume);
        Assert.False(paying.Declined("card_declined", Now).NeedsResume);
    }

    [Fact]
    public void Seats_lost_after_capture_lead_to_a_refund_never_to_an_order()
    {
        var refunding = Started().Verified(Hold, Now).Paying(Now).Captured(Now).Refund("hold_expired", Now);
        Assert.Throws<InvalidOperationException>(() => refunding.OrderIssued(Now));
        Assert.Equal(CheckoutStep.Refunded, refunding.Refunded(Now).Step);
    }

    [Fact]
    public void A_checkout_that_charged_nothing_cannot_be_refunded_and_a_declined_one_cannot_be_captured()
    {
        Assert.Throws<InvalidOperationException>(() => Started().Verified(Hold, Now).Refund("refund_requested", Now));
        Assert.Throws<InvalidOperationException>(() => Started().Verified(Hold, Now).Paying(Now).Declined("card_declined", Now).Captured(Now));
        Assert.Throws<InvalidOperationException>(() => Started().Paying(Now));
    }

    [Fact]
    public void A_paying_checkout_can_end_without_a_charge_but_never_without_a_refund_once_paid()
    {
        var paying = Started().Verified(Hold, Now).Paying(Now);
        Assert.Equal(CheckoutStep.Abandoned, paying.Abandon("payment_failed", Now).Step);
        Assert.Throws<InvalidOperationException>(() => paying.Captured(Now).Abandon("payment_failed", Now));
    }

    [Fact]
    public void A_refund_the_order_book_refuses_leaves_the_sale_standing()
    {
        var refused = Started().Verified(Hold, Now).Paying(Now).Captured(Now).SeatsConfirmed(Now).OrderIssued(Now)
            .Refund("refund_requested", Now).RefundRefused(Now);
        Assert.Equal((CheckoutStep.Completed, null), (refused.Step, refused.FailureReason));
        Assert.Throws<InvalidOperationException>(() => Started().RefundRefused(Now));
    }
}
