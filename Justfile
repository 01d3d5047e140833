# Operator recipes. `just` lists them. Plain `just` does not allow `:` in a recipe name,
# so groups are modules: `just db migrate` (or `just db::migrate`).

export PATH := justfile_directory() / "node_modules/.bin" + ":" + env_var("PATH")

mod db 'just/db.just'
mod cache 'just/cache.just'
mod ai 'just/ai.just'
mod perf 'just/perf.just'
mod metrics 'just/metrics.just'
mod logs 'just/logs.just'
mod cdk 'just/cdk.just'
mod deploy 'just/deploy.just'
mod destroy 'just/destroy.just'

# List every recipe
default:
    @just --list --list-submodules

# Install every dependency (Bun, the workspace packages, git hooks)
install:
    npx --yes bun@1.4.5 install

# Start the API with hot reload on http://localhost:3000
dev:
    bun run dev

# Start the API without hot reload
start:
    bun run start

# Bundle the Lambda entry into packages/api/dist as it is deployed
build:
    cd packages/api && bun run build

# Run the whole test suite (set DATABASE_URL / REDIS_URL to use real services)
test *args:
    bun run test {{ args }}

# Lint and format check (Biome)
lint:
    biome check .

# Format and apply safe fixes (Biome)
format:
    biome check --write .

# Type-check every package
typecheck:
    tsc --noEmit -p tsconfig.json

# Lint, type-check and test: what CI runs
check: lint typecheck test
