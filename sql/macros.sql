-- Table macros the models share (kbetl.warehouse.transform creates them before building the models).

-- A percentage of two counts to 2 decimals, rounded half away from zero in whole numbers: 6.189 of 4.000 is
-- 154,73, which rounding the double 154.72499… would make 154,72. NULL where the whole is 0.
create or replace macro pct(part, whole) as
    case when whole <> 0 then cast(cast(sign(part) * ((20000 * abs(cast(part as hugeint)) + abs(whole))
                                                   // (2 * abs(whole))) as decimal(18, 0)) * 0.01 as decimal(9, 2))
    end;

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
    select campaign_year, region_code, compared_with as subject,
           cast(figure as double) as value, round(history_mean, 2) as reference_value,
           history_message(label, figure, ratio, history_mean, campaigns_compared, history_years, compared_with,
                           level, level_ratio, difference_pct, max_difference_pct) as message
    from query_table(comparison)
    where measure = measure_name and flagged;

-- A check's threshold (or another of its parameters) in ref.quality_thresholds (sql/audits/thresholds.csv).
create or replace macro threshold(of_check, of_parameter) as (
    select value from ref.quality_thresholds where check_name = of_check and parameter = of_parameter
);

-- The parameters of an outlier check: the modified z-scores above which a value is an extreme (threshold) or
-- a moderate outlier, the smallest reference sets scored, and the smallest MAD used.
create or replace macro outlier_parameters(of_check) as table
    select
        threshold(of_check, 'threshold') as extreme_z,
        threshold(of_check, 'moderate') as moderate_z,
        threshold(of_check, 'min_own_days') as min_own_days,
        threshold(of_check, 'min_peers') as min_peers,
        threshold(of_check, 'min_mad') as min_mad;

-- Modified z-score (Iglewicz and Hoaglin) of x against its reference set: 0.6745 × (x − median) / MAD, the
-- MAD taken as at least min_mad. Where that is 0 (half the set or more alike) the mean absolute deviation
-- stands in (0.7979 = 1 / 1.2533); if that is 0 too, NULL: nothing is an outlier.
create or replace macro modified_z(x, center, mad, mean_ad, min_mad) as
    case
        when greatest(mad, min_mad) > 0 then 0.6745 * (x - center) / greatest(mad, min_mad)
        when mean_ad > 0 then 0.7979 * (x - center) / mean_ad
    end;

-- An outlier's severity, and the end of its message: its score and the threshold it passed.
create or replace macro outlier_severity(z, extreme_z) as if(abs(z) > extreme_z, 'extreme', 'moderate');
create or replace macro outlier_score(z, extreme_z, moderate_z) as
    '; skor z termodifikasi ' || id_decimal(z) || ', ambang '
    || if(abs(z) > extreme_z, 'ekstrem ' || id_decimal(extreme_z), 'sedang ' || id_decimal(moderate_z)) || '.';

-- Every region of each campaign year's map, with its level, name and parent.
create or replace macro campaign_regions() as table
    select c.campaign_year, r.region_code, r.level, r.region_name, r.parent_code
    from ref.campaigns as c
    join ref.regions as r on r.map_version = c.region_map;

-- The findings of a rate of facilities' reports (part over whole) by kabupaten/kota, province and the nation,
-- where it falls below the check's threshold: `facility_rows` has campaign_year, province_code, regency_code,
-- part and whole; the message names the whole (`counted`) and what the part did (`done`).
create or replace macro rates_below_threshold(facility_rows, of_check, counted, done) as table
    with by_region as (
        select campaign_year, regency_code as region_code, sum(part) as part, sum(whole) as whole
        from query_table(facility_rows) group by all
        union all
        select campaign_year, province_code, sum(part), sum(whole) from query_table(facility_rows) group by all
        union all
        select campaign_year, '00', sum(part), sum(whole) from query_table(facility_rows) group by all
    ),

    rates as (
        select *, round(100.0 * part / whole, 2) as rate_pct, threshold(of_check, 'threshold') as min_pct
        from by_region
        where whole > 0
    )

    select
        campaign_year,
        region_code,
        rate_pct as value,
        min_pct as reference_value,
        'Hanya ' || id_number(cast(part as bigint)) || ' dari ' || id_number(cast(whole as bigint)) || ' '
            || counted || ' (' || id_decimal(rate_pct) || '%) ' || done || '; ambang ' || id_decimal(min_pct)
            || '%.' as message
    from rates
    where rate_pct < min_pct;
