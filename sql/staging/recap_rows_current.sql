-- grain: one row per report_kind × campaign_year × scope_code × region row (and total row) of the current figures of each recap scope
-- The newest version of a scope gives its rows. A region (or the total row) that an earlier version had and
-- the newest lacks, left out or quarantined, keeps the figures of the newest earlier version that had it
-- (carried): a worse re-sent file never makes a region vanish. A version loaded with --replace
-- (replaces_all) ends what the versions before it carry. A load that accepted no row is no version.
with submissions as (
    select * from audit.recap_submissions where rows_accepted > 0
),

versions as (
    select
        *,
        row_number() over (scope order by load_seq desc) as newest_first,
        max(load_seq) filter (where replaces_all) over (scope) as replaced_at
    from submissions
    window scope as (partition by campaign_year, report_kind, scope_code)
),

live_versions as (
    select * from versions where load_seq >= coalesce(replaced_at, 0)
),

version_rows as (
    select
        s.report_kind,
        s.campaign_year,
        s.map_version,
        s.scope_code,
        s.row_level,
        s.newest_first,
        r.* exclude (report_year, scope_code)
    from live_versions as s
    join staging.recap_rows as r
        on r.file_sha256 = s.file_sha256 and coalesce(r.report_year, s.campaign_year) = s.campaign_year
        and coalesce(r.scope_code, s.scope_code) = s.scope_code
),

final as (
    select * exclude (newest_first), newest_first > 1 as carried
    from version_rows
    qualify row_number() over (
        partition by report_kind, campaign_year, scope_code, is_total_row, region_code order by newest_first
    ) = 1
)

select * from final
