using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TicketToken.BuildingBlocks.Data;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>Versioned SQL migrations: applied once even when replicas start together, and never silently edited after they shipped.</summary>
public sealed class MigrationRunnerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly string _schema = "ledger_" + Guid.NewGuid().ToString("N")[..8];
    private NpgsqlDataSource _dataSource = null!;

    public Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Runners_started_together_apply_each_migration_exactly_once()
    {
        var set = Ledger();

        var applied = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => NewRunner().ApplyAsync(_dataSource, set, CancellationToken.None)));

        applied.Sum().Should().Be(set.Migrations.Count, "one runner migrates, the others wait and find nothing to do");
        (await RecordedMigrationsAsync()).Should().Be(set.Migrations.Count);
        (await database.ScalarAsync<long>($"select count(*) from {_schema}.lines")).Should().Be(1, "the seed row was inserted once");
    }

    [Fact]
    public async Task Applying_the_same_migrations_again_applies_none()
    {
        var set = Ledger();
        await NewRunner().ApplyAsync(_dataSource, set, CancellationToken.None);

        var again = await NewRunner().ApplyAsync(_dataSource, set, CancellationToken.None);

        again.Should().Be(0);
        (await RecordedMigrationsAsync()).Should().Be(set.Migrations.Count);
    }

    [Fact]
    public async Task A_new_migration_is_applied_on_top_of_the_shipped_ones()
    {
        var shipped = Ledger();
        await NewRunner().ApplyAsync(_dataSource, shipped, CancellationToken.None);
        var next = shipped with { Migrations = [.. shipped.Migrations, new SqlMigration("0003_add_memo", "alter table lines add column memo text;")] };

        var applied = await NewRunner().ApplyAsync(_dataSource, next, CancellationToken.None);

        applied.Should().Be(1);
        (await database.ScalarAsync<long>($"select count(*) from information_schema.columns where table_schema = '{_schema}' and column_name = 'memo'")).Should().Be(1);
    }

    [Fact]
    public async Task A_migration_edited_after_it_was_applied_stops_the_run_and_applies_nothing()
    {
        var shipped = Ledger();
        await NewRunner().ApplyAsync(_dataSource, shipped, CancellationToken.None);
        var edited = shipped with
        {
            Migrations =
            [
                new SqlMigration("0001_create_lines", "create table lines (id int primary key, amount_cents bigint not null);"),
                shipped.Migrations[1],
                new SqlMigration("0003_add_memo", "alter table lines add column memo text;"),
            ],
        };

        var apply = () => NewRunner().ApplyAsync(_dataSource, edited, CancellationToken.None);

        var failure = await apply.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain($"{_schema}/0001_create_lines");
        (await RecordedMigrationsAsync()).Should().Be(shipped.Migrations.Count, "the run is one transaction and rolled back");
    }

    private static MigrationRunner NewRunner() => new(NullLogger<MigrationRunner>.Instance);

    // Neither migration is idempotent: applying either twice would fail or double the seed row.
    private MigrationSet Ledger() => new("ledger", _schema,
    [
        new SqlMigration("0001_create_lines", "create table lines (id int primary key, amount bigint not null);"),
        new SqlMigration("0002_seed_opening_line", "insert into lines (id, amount) values (1, 0);"),
    ]);

    private Task<long> RecordedMigrationsAsync() => database.ScalarAsync<long>($"select count(*) from {_schema}.schema_migrations");
}
