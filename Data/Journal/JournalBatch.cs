using System.Text.Json;

namespace TicketFlow.Data.Journal;

/// <summary>
/// How one append is stored: a single row whose <c>entries</c> column is the batch's entries as one JSON array
/// (entries are JSON documents), readable with <c>convert_from(entries, 'UTF8')::jsonb</c>. The row's <c>first_seq</c> and
/// <c>last_seq</c> number its entries, so sequence numbers stay dense per entry.
/// </summary>
public static class JournalBatch
{
    /// <summary>The entries as one JSON array.</summary>
    /// <exception cref="ArgumentException">There are no entries, or one is not a single JSON document.</exception>
    public static byte[] Encode(IReadOnlyList<byte[]> entries)
    {
        if (entries.Count == 0) throw new ArgumentException("An append holds at least one entry.", nameof(entries));
        foreach (var entry in entries) RequireOneDocument(entry);
        var length = 2 + Math.Max(0, entries.Count - 1);
        foreach (var entry in entries) length += entry.Length;
        var batch = new byte[length];
        var at = 0;
        batch[at++] = (byte)'[';
        for (var i = 0; i < entries.Count; i++)
        {
            if (i > 0) batch[at++] = (byte)',';
            entries[i].CopyTo(batch, at);
            at += entries[i].Length;
        }
        batch[at] = (byte)']';
        return batch;
    }

    private static void RequireOneDocument(byte[] entry)
    {
        var reader = new Utf8JsonReader(entry);
        try
        {
            if (reader.Read()) reader.Skip();
            if (reader.BytesConsumed > 0 && !reader.Read()) return;
        }
        catch (JsonException)
        {
        }
        throw new ArgumentException("A journal entry must be one JSON document.", nameof(entry));
    }

    /// <summary>The entries of a stored batch, each as the JSON document it was appended as.</summary>
    public static IEnumerable<byte[]> Decode(byte[] batch)
    {
        var entries = new List<byte[]>();
        var reader = new Utf8JsonReader(batch);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) throw new InvalidDataException("A journal batch is not a JSON array.");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            entries.Add(batch[start..(int)(reader.BytesConsumed)]);
        }
        return entries;
    }
}
