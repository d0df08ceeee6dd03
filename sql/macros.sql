-- Table macros the models share (kbetl.warehouse.transform creates them before building the models).

-- The figures of the regions of one level of the map, for every kind of recap: a region's own row in a recap
-- of its parent (priority 1), else the total row of its own recap (2), else the sum of its children (3).
-- Achieved and each method come from the first source that has them; the target likewise.
create or replace macro figures_of_level(recap_rows, level_name, child_level, children) as table
    with own_rows as (
        select report_kind, campaign_year, map_version, region_code, 1 as priority,
               if(carried, 'previous_version', 'reported') as figures_from, file_sha256, source_row,
               target, achieved, pill, condom, injectable, iud, implant, mow, mop, null::bigint as children_reported
        from query_table(recap_rows)
        where row_level = level_name and not is_total_row
    ),

    total_rows as (
        select report_kind, campaign_year, map_version, region_code, 2 as priority,
               if(carried, 'previous_version', 'total_row') as figures_from, file_sha256, source_row,
               target, achieved, pill, condom, injectable, iud, implant, mow, mop, null::bigint as children_reported
        from query_table(recap_rows)
        where row_level = child_level and is_total_row
    ),

    -- a method's sum only where every child reported it; likewise the target
    sums as (
        select
            f.report_kind, f.campaign_year, f.map_version, r.parent_code as region_code, 3 as priority,
            if(child_level = 'regency', 'sum_of_regencies', 'sum_of_' || child_level || 's') as figures_from,
            null as file_sha256, null as source_row,
            case when count(f.target) = count(*) then sum(f.target) end as target,
            sum(f.achieved) as achieved,
            case when count(COLUMNS(['pill', 'condom', 'injectable', 'iud', 'implant', 'mow', 'mop'])) = count(*)
                then sum(COLUMNS(['pill', 'condom', 'injectable', 'iud', 'implant', 'mow', 'mop'])) end,
            count(f.achieved) as children_reported
        from query_table(children) as f
        join ref.regions as r on r.map_version = f.map_version and r.region_code = f.region_code
        group by all
    ),

    sources as (
        select * from own_rows
        union all by name
        select * from total_rows
        union all by name
        select * from sums
    )

    select
        report_kind, campaign_year, map_version, region_code,
        arg_min(target, priority) filter (where target is not null) as target,
        arg_min(COLUMNS(['figures_from', 'file_sha256', 'source_row', 'achieved', 'pill', 'condom', 'injectable',
                         'iud', 'implant', 'mow', 'mop', 'children_reported']), priority)
    from sources
    where achieved is not null or target is not null
    group by all;

-- A count of people by region and report year (current users, new acceptors) from the figures by level of
-- its kind, with the data-quality checks failing for the region and year; the mart of each kind names the
-- count (people, mkjp_people) as its own.
create or replace macro people_counted(figures, flags) as table
    select
        -- identity
        f.campaign_year as report_year,
        f.campaign_year,
        f.map_version,
        f.level,
        f.region_code,
        f.region_name,
        f.parent_code,

        -- the count against its target
        f.target,
        f.achieved as people,
        f.achievement_pct,

        -- methods
        f.pill, f.condom, f.injectable, f.iud, f.implant, f.mow, f.mop,
        f.mkjp_achieved as mkjp_people,
        f.mkjp_share_pct,

        -- lineage
        f.figures_from,
        f.source_file,
        f.source_file_sha256,
        f.source_row,

        -- completeness of a sum over children
        f.children_reported,
        f.children_expected,
        f.is_partial,

        -- data quality
        coalesce(q.quality_flags, []) as quality_flags
    from query_table(figures) as f
    left join query_table(flags) as q using (campaign_year, region_code);

-- Numbers in the messages people read, the Indonesian way: 17.974 and 144,40.
create or replace macro id_number(x) as replace(format('{:,}', x), ',', '.');
create or replace macro id_decimal(x) as replace(printf('%.2f', x), '.', ',');

-- The message of a consistency-over-time finding (staging.history_comparison).
create or replace macro history_message(label, figure, ratio, history_mean, campaigns_compared, history_years,
                                        compared_with, level, level_ratio, difference_pct, max_difference_pct) as
    label || ' ' || id_number(cast(figure as bigint)) || ' adalah ' || id_decimal(ratio) || '× rata-rata '
    || case when campaigns_compared < history_years
            then 'hanya ' || campaigns_compared || ' kampanye sebelumnya yang ada'
            else campaigns_compared || ' kampanye sebelumnya' end
    || ' (' || compared_with || ': ' || id_number(cast(round(history_mean) as bigint))
    || '), sedangkan semua ' || case when level = 'regency' then 'kabupaten/kota' else 'provinsi' end
    || ' ' || id_decimal(level_ratio) || '×; selisih ' || id_decimal(difference_pct) || '%, ambang '
    || id_decimal(max_difference_pct) || '%.';

-- The findings of one measure of a history comparison (staging.history_comparison): the regions flagged,
-- with their message.
create or replace macro history_findings(comparison, measure_name, label) as table
    select campaign_year, check_name, region_code, compared_with as subject, 'flag' as severity,
           cast(figure as double) as value, round(history_mean, 2) as reference_value,
           history_message(label, figure, ratio, history_mean, campaigns_compared, history_years, compared_with,
                           level, level_ratio, difference_pct, max_difference_pct) as message
    from query_table(comparison)
    where measure = measure_name and flagged;
