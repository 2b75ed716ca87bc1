using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Data;

/// <summary>
/// Writes and reads the contents of a seat map. Sections, rows and seats go in with PostgreSQL's binary COPY inside
/// the caller's transaction: a 20,000-seat map is one round trip per table instead of 20,000 inserts.
/// </summary>
internal static class SeatMapStore
{
    /// <summary>Saves pending changes (the seat map row itself first), then writes its zones and COPYs the rest.</summary>
    public static async Task WriteAsync(CatalogDbContext db, Guid seatMapId, SeatMapLayout layout, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Write a seat map inside a transaction.");
        }

        db.PriceZones.AddRange(layout.Zones.Select((zone, position) =>
            new PriceZone { SeatMapId = seatMapId, Code = zone.Code, Name = zone.Name, Colour = zone.Colour, Position = position }));
        await db.SaveChangesAsync(cancellationToken);

        var sections = layout.Sections.Select(section => (Id: Guid.CreateVersion7(), Section: section)).ToList();
        var rows = sections.SelectMany(s => s.Section.Rows.Select(row => (Id: Guid.CreateVersion7(), SectionId: s.Id, Row: row))).ToList();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();

        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {CatalogDbContext.SchemaName}.sections (id, seat_map_id, code, name, position) from stdin (format binary)", cancellationToken))
        {
            foreach (var ((id, section), position) in sections.Select((s, i) => (s, i)))
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(seatMapId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(section.Code, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(section.Name, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(position, NpgsqlDbType.Integer, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {CatalogDbContext.SchemaName}.seat_rows (id, section_id, label, index) from stdin (format binary)", cancellationToken))
        {
            foreach (var (id, sectionId, row) in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(sectionId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(row.Label, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Index, NpgsqlDbType.Integer, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {CatalogDbContext.SchemaName}.seats (row_id, number, seat_map_id, position, price_zone, accessible, companion, blocked, x, y) from stdin (format binary)",
            cancellationToken))
        {
            foreach (var (rowId, _, row) in rows)
            {
                for (var position = 0; position < row.Seats.Count; position++)
                {
                    var seat = row.Seats[position];
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(rowId, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(seat.Number, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(seatMapId, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(position, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(seat.Zone, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(seat.Accessible, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync(seat.Companion, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync(seat.Blocked, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync(seat.X, NpgsqlDbType.Double, cancellationToken);
                    await copy.WriteAsync(seat.Y, NpgsqlDbType.Double, cancellationToken);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>Removes the zones, sections, rows and seats of a seat map (before writing new ones).</summary>
    public static async Task ClearAsync(CatalogDbContext db, Guid seatMapId, CancellationToken cancellationToken)
    {
        await db.Sections.Where(s => s.SeatMapId == seatMapId).ExecuteDeleteAsync(cancellationToken);
        await db.PriceZones.Where(z => z.SeatMapId == seatMapId).ExecuteDeleteAsync(cancellationToken);
    }

    public static async Task<SeatMapLayout> ReadAsync(CatalogDbContext db, Guid seatMapId, CancellationToken cancellationToken)
    {
        var zones = await db.PriceZones.AsNoTracking().Where(z => z.SeatMapId == seatMapId).OrderBy(z => z.Position).ToListAsync(cancellationToken);
        var sections = await db.Sections.AsNoTracking().Where(s => s.SeatMapId == seatMapId).OrderBy(s => s.Position).ToListAsync(cancellationToken);
        var rows = await (from row in db.SeatRows.AsNoTracking()
                          join section in db.Sections on row.SectionId equals section.Id
                          where section.SeatMapId == seatMapId
                          orderby row.Index
                          select row).ToListAsync(cancellationToken);
        var seats = await db.Seats.AsNoTracking().Where(s => s.SeatMapId == seatMapId).OrderBy(s => s.Position).ToListAsync(cancellationToken);

        var rowsBySection = rows.ToLookup(r => r.SectionId);
        var seatsByRow = seats.ToLookup(s => s.RowId);
        return new SeatMapLayout(
            zones.Select(z => new ZoneLayout(z.Code, z.Name, z.Colour)).ToList(),
            sections.Select(section => new SectionLayout(section.Code, section.Name, rowsBySection[section.Id]
                .Select(row => new RowLayout(row.Label, row.Index, seatsByRow[row.Id]
                    .Select(seat => new SeatLayout(seat.Number, seat.PriceZone, seat.Accessible, seat.Companion, seat.Blocked, seat.X, seat.Y))
                    .ToList()))
                .ToList()))
            .ToList());
    }
}
