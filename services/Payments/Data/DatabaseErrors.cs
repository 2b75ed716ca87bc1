using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace TicketToken.Payments.Data;

internal static class DatabaseErrors
{
    /// <summary>Someone else inserted the same key first (a concurrent retry, a webhook that beat the caller).</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
