-- grain: one row per report_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the report year
-- Current users (peserta KB aktif): people using a method at a date, a stock with its own target, never a
-- PSA figure. The same rules as staging.achievement: figures a region reported for itself win; then the total
-- row of its report; then the sum of its children, marked partial when only some of them reported.
with recap as (
    select * from staging.current_users_rows
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

-- kecamatan: only their row in a kabupaten/kota recap
district_figures as (
    select campaign_year, map_version, region_code, 1 as priority, if(carried, 'previous_version', 'reported') as figures_from,
           file_sha256, source_row, target, achieved, pill, condom, injectable, iud, implant, mow, mop, null::bigint as children_reported
    from recap
    where row_level = 'district' and not is_total_row
),

district_sums_by_regency as (
    select
        f.campaign_year, f.map_version, r.parent_code as region_code,
        case when count(f.target) = count(*) then sum(f.target) end as target,
        sum(f.achieved) as achieved,
        case when count(f.pill) = count(*) then sum(f.pill) end as pill,
        case when count(f.condom) = count(*) then sum(f.condom) end as condom,
        case when count(f.injectable) = count(*) then sum(f.injectable) end as injectable,
        case when count(f.iud) = count(*) then sum(f.iud) end as iud,
        case when count(f.implant) = count(*) then sum(f.implant) end as implant,
        case when count(f.mow) = count(*) then sum(f.mow) end as mow,
        case when count(f.mop) = count(*) then sum(f.mop) end as mop,
        count(f.achieved) as children_reported
    from district_figures as f
    join regions as r on r.map_version = f.map_version and r.region_code = f.region_code
    group by all
),

-- kabupaten/kota: their row in a provincial recap, the total row of their own recap, the sum of their kecamatan
regency_sources as (
    select campaign_year, map_version, region_code, 1 as priority, if(carried, 'previous_version', 'reported') as figures_from,
           file_sha256, source_row, target, achieved, pill, condom, injectable, iud, implant, mow, mop, null::bigint as children_reported
    from recap
    where row_level = 'regency' and not is_total_row
    union all
    select campaign_year, map_version, region_code, 2, if(carried, 'previous_version', 'total_row'),
           file_sha256, source_row, target, achieved, pill, condom, injectable, iud, implant, mow, mop, null
    from recap
    where row_level = 'district' and is_total_row
    union all
    select campaign_year, map_version, region_code, 3, 'sum_of_districts',
           null, null, target, achieved, pill, condom, injectable, iud, implant, mow, mop, children_reported
    from district_sums_by_regency
),

regency_figures as (
    select
        campaign_year, map_version, region_code,
        arg_min(figures_from, priority) as figures_from,
        arg_min(file_sha256, priority) as file_sha256,
        arg_min(source_row, priority) as source_row,
        arg_min(target, priority) filter (where target is not null) as target,
        arg_min(achieved, priority) as achieved,
        arg_min(pill, priority) as pill,
        arg_min(condom, priority) as condom,
        arg_min(injectable, priority) as injectable,
        arg_min(iud, priority) as iud,
        arg_min(implant, priority) as implant,
        arg_min(mow, priority) as mow,
        arg_min(mop, priority) as mop,
        arg_min(children_reported, priority) as children_reported
    from regency_sources
    where achieved is not null or target is not null
    group by all
),

regency_sums_by_province as (
    select
        f.campaign_year, f.map_version, r.parent_code as region_code,
        case when count(f.target) = count(*) then sum(f.target) end as target,
        sum(f.achieved) as achieved,
        case when count(f.pill) = count(*) then sum(f.pill) end as pill,
        case when count(f.condom) = count(*) then sum(f.condom) end as condom,
        case when count(f.injectable) = count(*) then sum(f.injectable) end as injectable,
        case when count(f.iud) = count(*) then sum(f.iud) end as iud,
        case when count(f.implant) = count(*) then sum(f.implant) end as implant,
        case when count(f.mow) = count(*) then sum(f.mow) end as mow,
        case when count(f.mop) = count(*) then sum(f.mop) end as mop,
        count(f.achieved) as children_reported
    from regency_figures as f
    join regions as r on r.map_version = f.map_version and r.region_code = f.region_code
    group by all
),

-- provinces: their row in a national recap, the total row of their own recap, the sum of their regencies
province_sources as (
    select campaign_year, map_version, region_code, 1 as priority, if(carried, 'previous_version', 'reported') as figures_from,
           file_sha256, source_row, target, achieved, pill, condom, injectable, iud, implant, mow, mop, null::bigint as children_reported
    from recap
    where row_level = 'province' and not is_total_row
    union all
    select campaign_year, map_version, region_code, 2, if(carried, 'previous_version', 'total_row'),
           file_sha256, source_row, target, achieved, pill, condom, injectable, iud, implant, mow, mop, null
    from recap
    where row_level = 'regency' and is_total_row
    union all
    select campaign_year, map_version, region_code, 3, 'sum_of_regencies',
           null, null, target, achieved, pill, condom, injectable, iud, implant, mow, mop, children_reported
    from regency_sums_by_province
),

province_figures as (
    select
        campaign_year, map_version, region_code,
        arg_min(figures_from, priority) as figures_from,
        arg_min(file_sha256, priority) as file_sha256,
        arg_min(source_row, priority) as source_row,
        arg_min(target, priority) filter (where target is not null) as target,
        arg_min(achieved, priority) as achieved,
        arg_min(pill, priority) as pill,
        arg_min(condom, priority) as condom,
        arg_min(injectable, priority) as injectable,
        arg_min(iud, priority) as iud,
        arg_min(implant, priority) as implant,
        arg_min(mow, priority) as mow,
        arg_min(mop, priority) as mop,
        arg_min(children_reported, priority) as children_reported
    from province_sources
    where achieved is not null or target is not null
    group by all
),

province_sums as (
    select
        f.campaign_year, f.map_version, '00' as region_code,
        case when count(f.target) = count(*) then sum(f.target) end as target,
        sum(f.achieved) as achieved,
        case when count(f.pill) = count(*) then sum(f.pill) end as pill,
        case when count(f.condom) = count(*) then sum(f.condom) end as condom,
        case when count(f.injectable) = count(*) then sum(f.injectable) end as injectable,
        case when count(f.iud) = count(*) then sum(f.iud) end as iud,
        case when count(f.implant) = count(*) then sum(f.implant) end as implant,
        case when count(f.mow) = count(*) then sum(f.mow) end as mow,
        case when count(f.mop) = count(*) then sum(f.mop) end as mop,
        count(f.achieved) as children_reported
    from province_figures as f
    join regions as r on r.map_version = f.map_version and r.region_code = f.region_code
    group by all
),

-- the nation: the total row of a national recap, else the sum of the provinces
national_sources as (
    select campaign_year, map_version, region_code, 1 as priority, if(carried, 'previous_version', 'total_row') as figures_from,
           file_sha256, source_row, target, achieved, pill, condom, injectable, iud, implant, mow, mop, null::bigint as children_reported
    from recap
    where row_level = 'province' and is_total_row
    union all
    select campaign_year, map_version, region_code, 2, 'sum_of_provinces',
           null, null, target, achieved, pill, condom, injectable, iud, implant, mow, mop, children_reported
    from province_sums
),

national_figures as (
    select
        campaign_year, map_version, region_code,
        arg_min(figures_from, priority) as figures_from,
        arg_min(file_sha256, priority) as file_sha256,
        arg_min(source_row, priority) as source_row,
        arg_min(target, priority) filter (where target is not null) as target,
        arg_min(achieved, priority) as achieved,
        arg_min(pill, priority) as pill,
        arg_min(condom, priority) as condom,
        arg_min(injectable, priority) as injectable,
        arg_min(iud, priority) as iud,
        arg_min(implant, priority) as implant,
        arg_min(mow, priority) as mow,
        arg_min(mop, priority) as mop,
        arg_min(children_reported, priority) as children_reported
    from national_sources
    where achieved is not null or target is not null
    group by all
),

all_figures as (
    select * exclude (priority) from district_figures
    union all by name
    select * from regency_figures
    union all by name
    select * from province_figures
    union all by name
    select * from national_figures
),

final as (
    select
        -- identity
        f.campaign_year as report_year,
        f.campaign_year,
        f.map_version,
        r.level,
        f.region_code,
        r.region_name,
        r.parent_code,

        -- current users against their target
        cast(f.target as bigint) as target,
        cast(f.achieved as bigint) as current_users,
        case when f.target > 0 then cast(round(100.0 * f.achieved / f.target, 2) as decimal(9, 2)) end
            as achievement_pct,

        -- methods
        cast(f.pill as bigint) as pill,
        cast(f.condom as bigint) as condom,
        cast(f.injectable as bigint) as injectable,
        cast(f.iud as bigint) as iud,
        cast(f.implant as bigint) as implant,
        cast(f.mow as bigint) as mow,
        cast(f.mop as bigint) as mop,
        cast(f.iud + f.implant + f.mow + f.mop as bigint) as mkjp_users,
        case when f.achieved > 0
            then cast(round(100.0 * (f.iud + f.implant + f.mow + f.mop) / f.achieved, 2) as decimal(9, 2))
        end as mkjp_share_pct,

        -- lineage
        f.figures_from,
        l.file_name as source_file,
        f.file_sha256 as source_file_sha256,
        f.source_row,

        -- completeness of a sum over children (NULL and false where the region reported its own figures)
        cast(case when f.figures_from like 'sum_of_%' then f.children_reported end as integer) as children_reported,
        cast(case when f.figures_from like 'sum_of_%' then ch.children_expected end as integer) as children_expected,
        coalesce(f.figures_from like 'sum_of_%' and f.children_reported < ch.children_expected, false) as is_partial,

        -- data quality (marts.quality_flags) for the region and year
        coalesce(q.quality_flags, []) as quality_flags
    from all_figures as f
    join regions as r on r.map_version = f.map_version and r.region_code = f.region_code
    left join children as ch on ch.map_version = f.map_version and ch.region_code = f.region_code
    left join landed as l on l.file_sha256 = f.file_sha256
    left join marts.quality_flags as q on q.campaign_year = f.campaign_year and q.region_code = f.region_code
)

select * from final
