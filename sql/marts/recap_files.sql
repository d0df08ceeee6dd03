-- grain: one row per recap submission loaded: file × year × parent region (every version, current or superseded)
with submissions as (
    select * from audit.recap_submissions
),

-- names as received are text from outside: neutralised for spreadsheets (OWASP CSV injection: a leading '
-- before = + - @ tab CR); raw.landed_files keeps them as received
landed as (
    select
        file_sha256,
        case when left(file_name, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || file_name else file_name end as file_name,
        case when left(source_path, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || source_path else source_path end as source_path,
        size_bytes
    from raw.landed_files
),

scopes as (
    select map_version, region_code, region_name from ref.regions
),

versions as (
    select
        *,
        row_number() over (partition by campaign_year, report_kind, scope_code order by load_seq) as version,
        lead(file_sha256) over (partition by campaign_year, report_kind, scope_code order by load_seq)
            as superseded_by_sha256
    from submissions
    where rows_accepted > 0
),

final as (
    select
        s.campaign_year,
        s.scope_code,
        sc.region_name as scope_name,
        s.row_level,
        s.report_kind,
        l.file_name,
        s.file_sha256,
        l.source_path,
        l.size_bytes,
        s.loaded_at,
        s.run_id,
        v.version,
        coalesce(v.superseded_by_sha256 is null and v.version is not null, false) as is_current,
        v.superseded_by_sha256,
        s.rows_accepted,
        s.rows_quarantined,
        s.findings
    from submissions as s
    join landed as l using (file_sha256)
    left join versions as v using (file_sha256, campaign_year, scope_code)
    left join scopes as sc on sc.map_version = s.map_version and sc.region_code = s.scope_code
)

select * from final
