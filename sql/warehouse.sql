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
    scope_code        varchar not null,   -- parent region: '00' national recap, else the province
    row_level         varchar not null,   -- level of its rows: 'province' or 'regency'
    map_version       varchar not null,
    title             varchar,
    header_row        integer not null,
    rows_accepted     integer not null,
    rows_quarantined  integer not null,
    findings          integer not null,
    loaded_at         timestamptz not null,
    run_id            varchar not null
);

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
