-- grain: one row per campaign_year × region_code with both a recap figure and daily facility data
with recap as (
    select campaign_year, region_code, level, region_name, achieved as recap_achieved, source_file
    from staging.achievement
),

facility_sums as (
    select campaign_year, region_code, sum(achieved) as facility_achieved
    from staging.daily_by_region
    where level in ('district', 'regency', 'province', 'national')
    group by all
),

final as (
    select
        r.campaign_year,
        r.level,
        r.region_code,
        r.region_name,
        r.recap_achieved,
        cast(f.facility_achieved as bigint) as facility_achieved,
        cast(f.facility_achieved - r.recap_achieved as bigint) as difference,
        case when r.recap_achieved > 0
            then pct(f.facility_achieved - r.recap_achieved, r.recap_achieved)
        end as difference_pct,
        r.source_file as recap_file
    from recap as r
    join facility_sums as f using (campaign_year, region_code)
)

select * from final
