-- grain: one row per copied row: a region row whose methods repeat another region's of the same parent, kind and year (subject: the kind and the other region's code), or repeat its own previous year's (subject: the kind and that year)
-- A classic sign of a spreadsheet row copied over another: two regions of one parent whose method figures
-- are identical in several non-zero methods, or one region whose every method repeats the previous year's.
-- Small figures coincide by chance, so only figures of at least min_figure count.
with thresholds as (
    select
        max(value) filter (where parameter = 'min_methods') as min_methods,
        max(value) filter (where parameter = 'min_figure') as min_figure
    from ref.quality_thresholds
    where check_name = 'copied_rows'
),

rows as (
    select
        r.report_kind, r.campaign_year, r.scope_code, r.is_total_row, r.region_code, g.region_name,
        r.pill, r.condom, r.injectable, r.iud, r.implant, r.mow, r.mop
    from staging.recap_rows_current as r
    join ref.regions as g on g.map_version = r.map_version and g.region_code = r.region_code
),

kind_words as (
    select * from (values ('psa', 'PSA'), ('current_users', 'peserta KB aktif'), ('new_users', 'peserta KB baru'))
        as k(report_kind, words)
),

-- every pair of rows compared: two regions of one parent and year, or one region and its previous year
pairs as (
    select
        a.report_kind, a.campaign_year, a.region_code, a.region_name, b.region_code as subject,
        a.region_name || ' dan ' || b.region_name || ' (' || a.campaign_year || ')' as named, false as same_region,
        a.pill, a.condom, a.injectable, a.iud, a.implant, a.mow, a.mop,
        b.pill as b_pill, b.condom as b_condom, b.injectable as b_injectable, b.iud as b_iud,
        b.implant as b_implant, b.mow as b_mow, b.mop as b_mop
    from rows as a
    join rows as b
        on b.report_kind = a.report_kind and b.campaign_year = a.campaign_year and b.scope_code = a.scope_code
        and b.region_code < a.region_code and not a.is_total_row and not b.is_total_row
    union all
    select
        a.report_kind, a.campaign_year, a.region_code, a.region_name, cast(b.campaign_year as varchar) as subject,
        a.region_name || ' ' || a.campaign_year || ' dan ' || b.campaign_year as named, true as same_region,
        a.pill, a.condom, a.injectable, a.iud, a.implant, a.mow, a.mop,
        b.pill, b.condom, b.injectable, b.iud, b.implant, b.mow, b.mop
    from rows as a
    join rows as b
        on b.report_kind = a.report_kind and b.campaign_year = a.campaign_year - 1
        and b.region_code = a.region_code and b.is_total_row = a.is_total_row
),

-- the methods equal in both rows and at least min_figure, as a message names them
compared as (
    select
        p.*,
        list_filter([
            if(p.iud = p.b_iud and p.iud >= t.min_figure, 'IUD ' || id_number(p.iud), null),
            if(p.implant = p.b_implant and p.implant >= t.min_figure, 'Implan ' || id_number(p.implant), null),
            if(p.mow = p.b_mow and p.mow >= t.min_figure, 'MOW ' || id_number(p.mow), null),
            if(p.mop = p.b_mop and p.mop >= t.min_figure, 'MOP ' || id_number(p.mop), null),
            if(p.injectable = p.b_injectable and p.injectable >= t.min_figure,
               'Suntik ' || id_number(p.injectable), null),
            if(p.pill = p.b_pill and p.pill >= t.min_figure, 'Pil ' || id_number(p.pill), null),
            if(p.condom = p.b_condom and p.condom >= t.min_figure, 'Kondom ' || id_number(p.condom), null)
        ], lambda x: x is not null) as equal_methods,
        [p.pill, p.condom, p.injectable, p.iud, p.implant, p.mow, p.mop]
            = [p.b_pill, p.b_condom, p.b_injectable, p.b_iud, p.b_implant, p.b_mow, p.b_mop] as all_equal,
        t.min_methods
    from pairs as p
    cross join thresholds as t
),

final as (
    select
        c.campaign_year,
        'copied_rows' as check_name,
        c.region_code,
        k.words || ': ' || c.subject as subject,
        'flag' as severity,
        cast(len(c.equal_methods) as double) as value,
        c.min_methods as reference_value,
        'Angka ' || k.words || ' ' || c.named || ' sama persis pada ' || len(c.equal_methods) || ' metode ('
            || array_to_string(c.equal_methods, ', ') || '): tanda baris lembar kerja yang tersalin; periksa '
            || 'kedua baris itu di berkasnya.' as message
    from compared as c
    join kind_words as k using (report_kind)
    where len(c.equal_methods) >= c.min_methods and (c.all_equal or not c.same_region)
)

select * from final
