-- Layers of the working database. Tables here are written by kbetl.load; staging/ and marts/
-- models are rebuilt from them by kbetl.transform.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists audit;
create schema if not exists ref;
create schema if not exists marts;

-- Every file as it arrived, content-addressed: the same bytes land once.
create table if not exists raw.landed_files (
    file_sha256   varchar not null,
    file_name     varchar not null,
    source_path   varchar not null,
    size_bytes    bigint  not null,
    content       blob    not null,
    landed_at     timestamptz not null,
    run_id        varchar not null
);

-- One row per accepted recap file: what it covers. The latest load of a (year, scope) is current.
create table if not exists audit.recap_submissions (
    file_sha256       varchar not null,
    load_seq          bigint  not null,
    campaign_year     integer not null,
    scope_code        varchar not null,   -- parent region: '00' national recap, else the province or kabupaten/kota
    row_level         varchar not null,   -- level of its rows: 'province', 'regency' or 'district'
    map_version       varchar not null,
    title             varchar,
    header_row        integer not null,
    rows_accepted     integer not null,
    rows_quarantined  integer not null,
    findings          integer not null,
    loaded_at         timestamptz not null,
    run_id            varchar not null
);

-- What a submission reports: 'psa' (a campaign's services), 'current_users' (peserta KB aktif, a stock) or
-- 'new_users' (peserta KB baru, new acceptors of the year).
-- Its scope for versions is (campaign_year, report_kind, scope_code).
alter table audit.recap_submissions add column if not exists report_kind varchar default 'psa';
-- Every row of the file accounted for: rows_read = rows_accepted + rows_quarantined + rows_skipped (title,
-- header, blank and note rows, the file's own, counted on its first part).
alter table audit.recap_submissions add column if not exists rows_read integer;
alter table audit.recap_submissions add column if not exists rows_skipped integer;
-- Loaded with --replace: the versions before it carry nothing into the current figures (see
-- staging.recap_rows_current); otherwise a region the new version lacks keeps its earlier figures.
alter table audit.recap_submissions add column if not exists replaces_all boolean default false;

-- Accepted rows of every recap file, typed and conformed to region codes.
create table if not exists staging.recap_rows (
    file_sha256           varchar not null,
    source_row            integer not null,
    is_total_row          boolean not null,
    region_code           varchar not null,
    region_name           varchar not null,
    region_name_reported  varchar,
    target                bigint,
    pill                  bigint,
    condom                bigint,
    injectable            bigint,
    iud                   bigint,
    implant               bigint,
    mow                   bigint,
    mop                   bigint,
    total                 bigint,
    achieved              bigint,
    pct                   double
);
-- The year and parent region (submission scope) a row belongs to: a file with a year or parent column may
-- hold several (NULL in rows loaded before they were recorded).
alter table staging.recap_rows add column if not exists report_year integer;
alter table staging.recap_rows add column if not exists scope_code varchar;

create table if not exists audit.quarantine (
    file_sha256   varchar not null,
    file_name     varchar not null,
    source_row    integer,
    column_name   varchar,
    check_name    varchar not null,
    value         varchar,
    message       varchar not null,
    run_id        varchar not null
);

create table if not exists audit.findings (
    file_sha256   varchar not null,
    file_name     varchar not null,
    check_name    varchar not null,
    source_row    integer,
    region_code   varchar,
    expected      double,
    actual        double,
    message       varchar not null,
    run_id        varchar not null
);

-- Files refused whole (unreadable, no header, no year): nothing of them was loaded.
create table if not exists audit.refused_files (
    file_name     varchar not null,
    file_sha256   varchar,
    reason        varchar not null,
    run_id        varchar not null,
    refused_at    timestamptz not null
);

-- Lineage: one row per staged recap file or province pull a run was handed, as its source described it (its
-- package's manifest: kbetl.sources.recaps.manifest, kbetl.sources.report_api.manifest). What the warehouse
-- then did with it is in recap_submissions / refused_files / api_pulls, joined on run_id and version or name.
create table if not exists audit.packages (
    run_id          varchar not null,
    source          varchar not null,   -- 'recap' or 'daily'
    name            varchar not null,   -- the file as stored, or the province
    version         varchar,            -- SHA-256 of the file, or of the export (of the responses' hashes)
    status          varchar not null,   -- 'staged' | 'unchanged' | 'refused' (recap); 'pulled' | 'failed'
    scope           json not null,      -- [{year, region, kind | days}], one per part
    rows_read       integer not null,
    rows_accepted   integer not null,
    rows_rejected   integer not null,
    rows_skipped    integer not null,
    reasons         json not null,      -- {rejected: {check: rows}, skipped: {why: rows}}
    findings        integer not null,
    refused         varchar,            -- why the file was refused or the pull failed
    received_at     timestamptz not null
);

create table if not exists audit.runs (
    run_id            varchar not null,
    command           varchar not null,
    started_at        timestamptz not null,
    finished_at       timestamptz,
    status            varchar not null,
    files_loaded      integer,
    files_unchanged   integer,
    files_refused     integer,
    rows_accepted     integer,
    rows_quarantined  integer
);
alter table audit.runs add column if not exists parameters varchar;   -- JSON of the run's parameters
-- The process of the run: a 'running' run whose process is gone is marked 'dead' by the next run.
alter table audit.runs add column if not exists pid integer;
alter table audit.runs add column if not exists host varchar;
alter table audit.runs add column if not exists error varchar;        -- why a run failed or died

-- Every report API response as received (the URL never carries the token).
create table if not exists raw.api_responses (
    response_sha256  varchar not null,
    url              varchar not null,
    http_status      integer not null,
    body             blob    not null,
    fetched_at       timestamptz not null,
    run_id           varchar not null
);

-- Facility register per campaign year and province, as the API gave it last.
create table if not exists staging.facilities (
    campaign_year   integer not null,
    province_code   varchar not null,
    facility_code   varchar not null,
    facility_name   varchar,
    district_code   varchar,
    regency_code    varchar not null,
    kind            varchar
);

-- Targets per kabupaten/kota (and per kecamatan where an office sets them), as the API gave them last.
create table if not exists staging.daily_targets (
    campaign_year   integer not null,
    province_code   varchar not null,
    region_code     varchar not null,
    level           varchar not null,
    target          bigint,
    kbpp_target     bigint
);

-- Every version of every daily facility record; staging.daily_current keeps the latest of each.
create table if not exists staging.daily_records (
    campaign_year     integer not null,
    province_code     varchar not null,
    facility_code     varchar not null,
    regency_code      varchar not null,
    method            varchar not null,
    service_type      varchar not null,
    report_date       date    not null,
    acceptors         bigint  not null,
    reported_at       timestamptz not null,
    updated_at        timestamptz not null,
    response_sha256   varchar not null,
    source_row        integer not null,
    run_id            varchar not null
);

create table if not exists audit.api_pulls (
    run_id            varchar not null,
    campaign_year     integer not null,
    province_code     varchar not null,
    first_day         date not null,
    last_day          date not null,
    status            varchar not null,   -- 'loaded' or 'failed'
    error             varchar,
    responses         integer not null,
    records_in        integer not null,
    records_accepted  integer not null,
    records_new       integer not null,
    records_rejected  integer not null,
    seconds           double not null,
    pulled_at         timestamptz not null
);

-- Campaign years whose loaded data changed since their models were last built. A load writes its years here
-- in its own transaction and the rebuild clears them in its own, so a run that failed or was killed between
-- the two leaves the next run to rebuild them (kbetl.warehouse.transform).
create table if not exists audit.stale_years (
    campaign_year integer not null
);

-- The hash of the reference data (and its comments) the ref schema holds (kbetl.warehouse.reference): a run
-- writes the ref tables only when what this version of kbetl ships differs from it.
create table if not exists audit.reference_version (
    sha256 varchar not null
);

-- The hash of this file as last run on the working file (kbetl.warehouse.database): opening the file runs it
-- again only when it changed.
create table if not exists audit.layers_version (
    sha256 varchar not null
);

-- The hash of sql/macros.sql as last created in the working file (kbetl.warehouse.transform): a rebuild creates
-- the macros again only when it changed.
create table if not exists audit.macros_version (
    sha256 varchar not null
);

-- The key each model table was last built from in full: the hash of its SQL and of the ref schema
-- (kbetl.warehouse.transform); a change to either makes the next rebuild a full one.
create table if not exists audit.model_builds (
    model        varchar not null,
    sql_sha256   varchar not null,
    built_at     timestamptz not null
);

-- Every attempt to deliver a daily digest (kbetl.reports.delivery). Never a URL: the recipient is the NAME of
-- the environment variable holding its Apprise URL, and an error is scrubbed of the URL and its parts. A
-- (digest_date, scope_code, recipient) with a 'failed' attempt and none 'delivered' is sent again next run.
create table if not exists audit.digest_deliveries (
    digest_date     date    not null,
    scope_code      varchar not null,   -- province or kabupaten/kota code ('00' the nation)
    recipient       varchar not null,   -- name of the environment variable holding the Apprise URL(s)
    attempted_at    timestamptz not null,
    status          varchar not null,   -- 'delivered' or 'failed'
    error           varchar,            -- why it failed, without the URL
    message_chars   integer,
    message_sha256  varchar
);
