using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using TicketFlow.Grains.Purchases;

namespace TicketFlow.Grains.Tests.Purchases;

/// <summary>
/// Grain state as the previous layout stored it (types in Grains/, the checkout step as a number, holds as HoldView)
/// still loads through the serializer the silos use: the JSON names no .NET type, and the names it does carry are kept.
/// </summary>
public sealed class StoredStateTests
{
    private static readonly SystemTextJsonGrainStorageSerializer Serializer = new(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));

    // Written by the layout before the Domain project (commit b113b6d): CheckoutStep.Refunding was stored as 7.
    private const string OldCheckout = """
        {"Checkout":{"HighDemand":true,"ForceRefund":false,"TotalMinor":10000,"IsFinished":false,"NeedsResume":true,
         "Id":"ord_abc","HoldId":"evt_1.h","EventId":"evt_1","UserId":"usr_1","Simulate":"success","Step":7,
         "Lines":[{"TierId":"t1","Quantity":2,"PriceMinor":5000,"Terms":{"Capacity":100,"PerUserLimit":6}}],"Currency":"USD",
         "FailureReason":"refund_requested","StartedAt":"2026-12-01T10:00:00+00:00","UpdatedAt":"2026-12-01T10:01:00+00:00"}}
        """;

    private const string OldShopper = """
        {"Holds":{"evt_1.h":{"TotalMinor":10000,"HoldId":"evt_1.h","EventId":"evt_1","UserId":"usr_1",
         "Lines":[{"TierId":"t1","Quantity":2,"PriceMinor":5000,"Terms":{"Capacity":100,"PerUserLimit":6}}],"Currency":"USD",
         "CreatedAt":"2026-12-01T10:00:00+00:00","ExpiresAt":"2026-12-01T10:10:00+00:00","State":"purchased","CheckingOut":false,"OrderId":"ord_abc"}}}
        """;

    [Fact]
    public void A_checkout_stored_mid_refund_by_the_old_layout_loads_and_goes_on_voiding_its_tickets()
    {
        var checkout = Serializer.Deserialize<CheckoutState>(BinaryData.FromString(OldCheckout))!.Checkout!;
        Assert.Equal((CheckoutStep.Refunding, CheckoutWork.VoidTickets, 10_000L), (checkout.Step, checkout.Work, checkout.TotalMinor));
        Assert.Equal((true, "refund_requested", "success"), (checkout.HighDemand, checkout.FailureReason, checkout.Simulate));
        Assert.Equal(new TierTerms(100, 6), Assert.Single(checkout.Lines).Terms);
    }

    [Fact]
    public void A_shoppers_holds_stored_by_the_old_layout_load_and_a_new_write_keeps_the_same_names()
    {
        var state = Serializer.Deserialize<ShopperState>(BinaryData.FromString(OldShopper))!;
        var hold = state.Holds["evt_1.h"];
        Assert.Equal((HoldStates.Purchased, "ord_abc", 2), (hold.State, hold.OrderId, hold.Seats));

        var written = Serializer.Serialize(state).ToString();
        foreach (var name in new[] { "\"HoldId\"", "\"Lines\"", "\"Terms\"", "\"PerUserLimit\"", "\"CheckingOut\"", "\"OrderId\"" }) Assert.Contains(name, written);
        Assert.DoesNotContain("TicketFlow.", written); // no .NET type names
    }

    [Fact]
    public void A_checkout_step_is_written_as_the_number_old_silos_read_and_its_derived_values_are_not_stored()
    {
        var written = Serializer.Serialize(Serializer.Deserialize<CheckoutState>(BinaryData.FromString(OldCheckout))).ToString();
        Assert.Contains("\"Step\":7", written);
        Assert.DoesNotContain("\"Work\"", written);
        Assert.DoesNotContain("\"TotalMinor\"", written);
    }
}
