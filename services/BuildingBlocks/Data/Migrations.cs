using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TicketToken.BuildingBlocks.Data;

/// <summary>One versioned SQL file. Its checksum guards against editing a migration after it shipped.</summary>
public sealed record SqlMigration(string Id, string Sql)
{
    public string Checksum { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>The migrations of one schema, owned by one app.</summary>
public sealed record MigrationSet(string AppId, string Schema, IReadOnlyList<SqlMigration> Migrations);

public static partial class SqlMigrations
{
    /// <summary>The outbox and inbox tables every <see cref="ModuleDbContext"/> schema has, applied before the module's own.</summary>
    public static IReadOnlyList<SqlMigration> Messaging { get; } =
        FromAssembly(typeof(SqlMigrations).Assembly, ".Data.ModuleMigrations.", "buildingblocks/");

    /// <summary>Reads <c>Data/Migrations/NNNN_name.sql</c> embedded in <paramref name="assembly"/>, ordered by version.</summary>
    public static IReadOnlyList<SqlMigration> FromAssembly(Assembly assembly) => FromAssembly(assembly, ".Data.Migrations.", "");

    internal static IReadOnlyList<SqlMigration> FromAssembly(Assembly assembly, string folder, string idPrefix)
    {
        var migrations = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = resource[(resource.LastIndexOf(folder, StringComparison.Ordinal) + folder.Length)..^4];
            if (!VersionedName().IsMatch(file))
            {
                throw new InvalidOperationException($"Migration '{file}.sql' in {assembly.GetName().Name} must be named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new SqlMigration(idPrefix + file, reader.ReadToEnd()));
        }

        return migrations.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex(@"^\d{4}_[a-z0-9_]+$")]
    private static partial Regex VersionedName();
}

/// <summary>Every schema the modules of this host migrate.</summary>
public sealed class MigrationCatalog
{
    private readonly List<MigrationSet> _sets = [];

    public IReadOnlyList<MigrationSet> Sets => _sets;

    public void Add(MigrationSet set)
    {
        var existing = _sets.FindIndex(s => s.Schema == set.Schema);
        if (existing < 0)
        {
            _sets.Add(set);
            return;
        }

        if (_sets[existing].AppId != set.AppId)
        {
            throw new InvalidOperationException($"Schema '{set.Schema}' is claimed by both '{_sets[existing].AppId}' and '{set.AppId}'; each module owns its own schema.");
        }

        var merged = _sets[existing].Migrations.Concat(set.Migrations).DistinctBy(m => m.Id).ToList();
        _sets[existing] = set with { Migrations = merged };
    }
}

/// <summary>
/// Applies a schema's pending migrations in one transaction under a transaction-scoped advisory lock,
/// so several replicas can start at once: one migrates, the others wait and then find nothing to do.
/// </summary>
public sealed partial class MigrationRunner(ILogger<MigrationRunner> logger)
{
    private const int LockNamespace = 0x71c7e7; // "tickettoken migrations"

    public async Task<int> ApplyAsync(NpgsqlDataSource dataSource, MigrationSet set, CancellationToken cancellationToken)
    {
        if (!SchemaName().IsMatch(set.Schema))
        {
            throw new InvalidOperationException($"Schema name '{set.Schema}' must be lower-case letters, digits and '_'.");
        }

        var ordered = set.Migrations.Where(m => m.Id.StartsWith("buildingblocks/", StringComparison.Ordinal))
            .Concat(set.Migrations.Where(m => !m.Id.StartsWith("buildingblocks/", StringComparison.Ordinal)))
            .ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, transaction, "select pg_advisory_xact_lock($1, hashtext($2))", cancellationToken, LockNamespace, set.Schema);
        await Execute(connection, transaction, $"""
            create schema if not exists {set.Schema};
            create table if not exists {set.Schema}.schema_migrations (
                id text primary key,
                checksum text not null,
                applied_at timestamptz not null default now());
            set local search_path to {set.Schema}, public;
            """, cancellationToken);

        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand($"select id, checksum from {set.Schema}.schema_migrations", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var count = 0;
        foreach (var migration in ordered)
        {
            if (applied.TryGetValue(migration.Id, out var checksum))
            {
                if (checksum != migration.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {set.Schema}/{migration.Id} changed after it was applied. Never edit a shipped migration; add a new one.");
                }

                continue;
            }

            logger.LogInformation("Applying migration {Schema:l}/{Migration:l}", set.Schema, migration.Id);
            await Execute(connection, transaction, migration.Sql, cancellationToken);
            await Execute(connection, transaction, $"insert into {set.Schema}.schema_migrations (id, checksum) values ($1, $2)",
                cancellationToken, migration.Id, migration.Checksum);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SchemaName();
}
