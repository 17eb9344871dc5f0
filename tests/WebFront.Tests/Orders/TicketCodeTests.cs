using System.Security.Cryptography;
using TicketFlow.Domain.Security;
using TicketFlow.WebFront.Orders;

namespace TicketFlow.WebFront.Tests.Orders;

public sealed class TicketCodeTests
{
    private readonly TicketCodes codes = new(new SigningKey(RandomNumberGenerator.GetBytes(32)));

    [Fact]
    public void A_signed_code_verifies_to_its_ticket_and_version()
    {
        var code = codes.Sign("tkt_abcdefghij234567", 3);

        Assert.StartsWith("tkt_abcdefghij234567.3.", code);
        Assert.Equal(new TicketCode("tkt_abcdefghij234567", 3), codes.Verify(code));
    }

    [Fact]
    public void A_reserved_seats_code_carries_its_labels_whatever_characters_they_hold()
    {
        var seat = new SeatLabels("Balcon 2. Étage: côté jardin", "Rang ÄÖ.Ü", "12 bis");

        var code = codes.Sign("tkt_abcdefghij234567", 2, seat);

        Assert.StartsWith("tkt_abcdefghij234567.2.", code);
        Assert.Equal(6, code.Split('.').Length);
        Assert.Equal(new TicketCode("tkt_abcdefghij234567", 2, seat), codes.Verify(code));
    }

    [Fact]
    public void A_seat_moved_changed_or_stripped_breaks_the_signature()
    {
        var code = codes.Sign("tkt_abcdefghij234567", 1, new SeatLabels("A", "1", "7")).Split('.');
        var other = codes.Sign("tkt_abcdefghij234567", 1, new SeatLabels("A", "1", "8")).Split('.');
        var unseated = codes.Sign("tkt_abcdefghij234567", 1).Split('.');

        Assert.Null(codes.Verify(string.Join('.', code[..4].Append(other[4]).Append(code[5])))); // another seat number
        Assert.Null(codes.Verify(string.Join('.', code[0], code[1], code[3], code[2], code[4], code[5]))); // labels swapped
        Assert.Null(codes.Verify(string.Join('.', code[0], code[1], code[5]))); // the seat stripped off
        Assert.Null(codes.Verify(string.Join('.', code[..5].Append(unseated[2])))); // the seat added to a code without one
        Assert.NotNull(codes.Verify(string.Join('.', unseated))); // a code without a seat, as signed before seats existed, still verifies
    }

    [Fact]
    public void A_code_signed_with_another_key_is_rejected()
    {
        var other = new TicketCodes(new SigningKey(RandomNumberGenerator.GetBytes(32)));
        Assert.Null(codes.Verify(other.Sign("tkt_abcdefghij234567", 1)));
    }

    [Theory]
    [InlineData("tkt_abcdefghij234568", "1")] // another ticket
    [InlineData("tkt_abcdefghij234567", "2")] // a newer version
    [InlineData("tkt_abcdefghij234567", "01")] // the same number, spelled differently
    [InlineData("tkt_abcdefghij234567", "+1")]
    public void Changing_the_ticket_id_or_version_breaks_the_signature(string ticketId, string version)
    {
        var signature = codes.Sign("tkt_abcdefghij234567", 1).Split('.')[2];
        Assert.Null(codes.Verify($"{ticketId}.{version}.{signature}"));
    }

    [Fact]
    public void Any_change_to_the_signature_is_rejected_even_one_that_decodes_to_the_same_bytes()
    {
        var code = codes.Sign("tkt_abcdefghij234567", 1);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var position = code.LastIndexOf('.') + 1; position < code.Length; position++)
            foreach (var replacement in alphabet.Where(c => c != code[position]))
                Assert.Null(codes.Verify(code[..position] + replacement + code[(position + 1)..]));
        Assert.Null(codes.Verify(code + "A"));
        Assert.Null(codes.Verify(code[..^1]));
        Assert.Null(codes.Verify(code + "="));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("tkt_x.1.")]
    [InlineData(".1.abc")]
    [InlineData("tkt_x.0.abc")]
    [InlineData("tkt_x.-1.abc")]
    [InlineData("tkt_x.99999999999.abc")]
    [InlineData("tkt x.1.abc")]
    [InlineData("tkt_x.1.!!!!")]
    [InlineData("tkt_ü.1.abc")]
    public void Garbage_is_not_a_code(string? garbage) => Assert.Null(codes.Verify(garbage));

    [Fact]
    public void A_huge_input_is_not_a_code() => Assert.Null(codes.Verify(new string('x', 100_000) + ".1.abc"));
}
