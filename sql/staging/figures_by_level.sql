-- grain: one row per report_kind × campaign_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the year
-- Figures of every level of the map from the current recap rows of each kind (PSA results, current users):
-- figures a region reported for itself win; then the total row of its own recap; then the sum of its
-- children (figures_of_level, sql/macros.sql). A sum over only some of the children a region has on the map
-- is marked partial (children_reported < children_expected).
with recap as (
    select * from staging.recap_rows_current
),

regions as (
    select * from ref.regions
),

-- how many children each region has on the map
children as (
    select map_version, parent_code as region_code, count(*) as children_expected
    from regions
    where level <> 'national'
    group by all
),

-- the file name is text from outside: neutralised for spreadsheets (OWASP CSV injection: a leading '
-- before = + - @ tab CR); raw.landed_files keeps it as received
landed as (
    select file_sha256, case when left(file_name, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || file_name else file_name end as file_name from raw.landed_files
),

-- from the kecamatan (which have no children on the map) up to the nation
no_children as (
    select * from recap where false
),

district_figures as (
    select * from figures_of_level(recap, 'district', null, no_children)
),

regency_figures as (
    select * from figures_of_level(recap, 'regency', 'district', district_figures)
),

province_figures as (
    select * from figures_of_level(recap, 'province', 'regency', regency_figures)
),

national_figures as (
    select * from figures_of_level(recap, 'national', 'province', province_figures)
),

all_figures as (
    select * from district_figures
    union all by name
    select * from regency_figures
    union all by name
    select * from province_figures
    union all by name
    select * from national_figures
),

crosswalk as (
    select regency_code, current_regency_code from ref.regency_crosswalk
),

final as (
    select
        -- identity
        f.report_kind,
        f.campaign_year,
        f.map_version,
        r.level,
        f.region_code,
        r.region_name,
        r.parent_code,
        case
            when f.map_version = '38' then f.region_code
            when r.level = 'regency' then c.current_regency_code
            when r.level = 'district' then c.current_regency_code || right(f.region_code, 2)
            when r.level = 'national' then '00'
            when f.region_code not in ('91', '94') then f.region_code
        end as current_region_code,

        -- achievement
        cast(f.target as bigint) as target,
        cast(f.achieved as bigint) as achieved,
        case when f.target > 0 then pct(f.achieved, f.target) end
            as achievement_pct,

        -- methods
        cast(COLUMNS(['pill', 'condom', 'injectable', 'iud', 'implant', 'mow', 'mop']) as bigint),
        cast(f.iud + f.implant + f.mow + f.mop as bigint) as mkjp_achieved,
        case when f.achieved > 0
            then pct(f.iud + f.implant + f.mow + f.mop, f.achieved)
        end as mkjp_share_pct,

        -- lineage
        f.figures_from,
        l.file_name as source_file,
        f.file_sha256 as source_file_sha256,
        f.source_row,

        -- completeness of a sum over children (NULL and false where the region reported its own figures)
        cast(case when f.figures_from like 'sum_of_%' then f.children_reported end as integer) as children_reported,
        cast(case when f.figures_from like 'sum_of_%' then ch.children_expected end as integer) as children_expected,
        coalesce(f.figures_from like 'sum_of_%' and f.children_reported < ch.children_expected, false) as is_partial
    from all_figures as f
    join regions as r on r.map_version = f.map_version and r.region_code = f.region_code
    left join crosswalk as c
        on f.map_version = '34' and r.level in ('regency', 'district') and c.regency_code = left(f.region_code, 4)
    left join children as ch on ch.map_version = f.map_version and ch.region_code = f.region_code
    left join landed as l on l.file_sha256 = f.file_sha256
)

select * from final
