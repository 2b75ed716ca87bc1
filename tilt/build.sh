#!/usr/bin/env bash
# Publishes the host for the development image (Linux x64, framework-dependent) into .tilt/publish.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dotnet publish "$repo/services/Host/TicketToken.Host.csproj" --configuration Debug --output "$repo/.tilt/publish" --nologo -v quiet
