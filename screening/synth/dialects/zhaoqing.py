"""肇庆 — the HOLDOUT dialect: the engine's authors must not study it while tuning.

Its conventions are the furthest from the default, so it measures what the engine
learnt about the domain rather than about our generator:

- Arbitration: year-first numbers ((2024)端劳人仲案字第12号) with the committee in a
  column of its own; one workbook for all years; no 生效日期 and no 是否终局裁决 (both
  derived); no 备注: performance facts sit in 履行情况, which says 未履行 for awards not
  paid voluntarily (so "contains 履行" means nothing here).
- Enforcement: 执恢 / 执异 / 执保 beside 执; no 未履行金额 (derived) and no
  申请执行人证件号码; UTF-8 CSVs with a BOM.
- Projects without 项目状态 (derived from the dates); deposits without 应存金额 (derived
  from contract × rate), GBK with a title row.
- Clerks: industry short forms, person notes, branches with their head office's code.
- World: committees where the employer is registered as well as where the work was done;
  restored 终本 (执恢) and 经济补偿金 / 二倍工资差额 awards as decoys. No FAKE-CLAIM
  guard: without 备注 there is nowhere to say the claim rests on an IOU alone.
"""

from __future__ import annotations

from screening.synth.dialect import COMMITTEE_NAME, PERFORMANCE, Dialect, Layout, WorldKnobs

DIALECT = Dialect(
    name="zhaoqing",
    description="肇庆 (holdout): year-first numbers, 履行情况, most columns derived",
    holdout=True,
    world=WorldKnobs(
        focus_city="441200",
        banks=(
            "中国工商银行股份有限公司肇庆分行",
            "中国建设银行股份有限公司肇庆市分行",
            "广东肇庆农村商业银行股份有限公司",
            "中国农业银行股份有限公司肇庆分行",
            "中国邮政储蓄银行股份有限公司肇庆市分行",
            "广东四会农村商业银行股份有限公司",
        ),
        arbitration_style="year_first",
        committee_at_employer=0.4,
        enforcement_case_types=True,
        restored_decoys=True,
        non_wage_decoys=True,
        other_labour_causes=(
            "确认劳动关系",
            "经济补偿",
            "违法解除劳动合同赔偿金",
            "二倍工资差额",
            "工伤待遇",
        ),
        extra_industries=("汽车配件", "照明电器", "保洁服务"),
        fake_claim_guard=False,
    ),
    layouts={
        "registry": Layout(
            files="registry/肇庆市企业名录.xlsx",
            sheet="Sheet1",
            title="肇庆市企业登记信息一览表",
            columns=(
                ("统一社会信用代码", "统一社会信用代码"),
                ("名称", "企业名称"),
                ("类型", "企业类型"),
                ("法定代表人", "法定代表人"),
                ("注册资本(万元)", "注册资本(万元)"),
                ("实收资本(万元)", "实缴资本(万元)"),
                ("成立日期", "成立日期"),
                ("住所", "住所"),
                ("登记状态", "登记状态"),
                ("注销(吊销)日期", "注销/吊销日期"),
                ("注销原因", "注销原因"),
            ),
        ),
        "projects": Layout(
            files="projects/建设项目.xlsx",
            sheet="项目",
            columns=(
                ("所在地", "所在区县"),
                ("项目编码", "项目编号"),
                ("项目名称", "项目名称"),
                ("施工许可证号", "施工许可证编号"),
                ("建设单位(业主)", "建设单位"),
                ("建设单位信用代码", "建设单位统一社会信用代码"),
                ("施工总承包单位", "施工总承包单位"),
                ("施工总承包单位信用代码", "施工总承包单位统一社会信用代码"),
                ("合同金额(万元)", "合同金额(万元)"),
                ("施工许可发证日期", "发证日期"),
                ("开工日期", "开工日期"),
                ("竣工验收日期", "竣工验收日期"),
            ),
        ),
        "deposits": Layout(
            files="deposits/保证金.csv",
            encoding="gbk",
            title="肇庆市农民工工资保证金台账",
            columns=(
                ("总承包单位", "总承包单位"),
                ("统一社会信用代码", "总承包单位统一社会信用代码"),
                ("工程项目", "项目名称"),
                ("施工许可证", "施工许可证编号"),
                ("合同总价(元)", "施工合同额(元)"),
                ("存储比例", "存储比例"),
                ("已存金额(元)", "实存金额(元)"),
                ("存储方式", "存储方式"),
                ("存储时间", "存储日期"),
                ("保函截止日期", "保函有效期至"),
                ("动用金额(元)", "动用金额(元)"),
                ("动用时间", "动用日期"),
                ("申请返还时间", "返还申请日期"),
                ("公示起始日期", "公示开始日期"),
                ("公示届满日期", "公示结束日期"),
                ("返还时间", "返还日期"),
                ("备注", "备注"),
            ),
        ),
        "arbitration": Layout(
            files="arbitration/仲裁案件汇总.xlsx",
            sheet="案件",
            columns=(
                ("收案日期", "立案日期"),
                ("仲裁委", COMMITTEE_NAME),
                ("案号", "案号"),
                ("申请人姓名", "申请人"),
                ("公民身份号码", "申请人身份证号码"),
                ("用人单位名称", "被申请人"),
                ("用人单位代码", "被申请人统一社会信用代码"),
                ("工程项目", "涉及项目"),
                ("争议类型", "案由"),
                ("申请标的(元)", "请求金额(元)"),
                ("结案金额(元)", "裁决/调解金额(元)"),
                ("结案日期", "结案日期"),
                ("处理结果", "结案方式"),
                ("履行情况", PERFORMANCE),
            ),
        ),
        "enforcement": Layout(
            files="enforcement/执行收结案_{year}.csv",
            encoding="utf-8-sig",
            columns=(
                ("立案日期", "立案日期"),
                ("案号", "执行案号"),
                ("法院", "执行法院"),
                ("执行依据文书编号", "执行依据"),
                ("案由", "案由"),
                ("申请执行人", "申请执行人"),
                ("被执行人", "被执行人"),
                ("被执行人证件号", "被执行人证照号码"),
                ("申请标的(元)", "申请执行标的(元)"),
                ("到位金额(元)", "实际执行到位金额(元)"),
                ("结案日期", "结案日期"),
                ("结案方式", "结案方式"),
                ("纳入失信", "失信被执行人"),
                ("备注", "备注"),
            ),
        ),
    },
    remarks={
        "paid": ("被申请人已当庭支付", "已履行完毕", "款已结清"),
        "gc_advanced": ("由总包单位代付", "总承包方先行垫付"),
        "paid_on_the_spot": ("当场付清",),
        "debtor_absconded": ("被执行人去向不明",),
        "restored": ("恢复执行",),
    },
    performance_categories=frozenset({"paid", "gc_advanced", "paid_on_the_spot"}),
    performance_unpaid="未履行",
    habits={"industry_short": 0.2, "person_note": 0.3, "branch_head_uscc": 0.5},
    person_notes=("(包工头)", "（个人）", "（自然人）"),
    derive={
        "projects": {"project_status": "project_status_from_dates"},
        "deposits": {"required_amount": "deposit_required_from_rate"},
        "arbitration": {
            "effective_date": "award_effective_date",
            "final_award": "final_award_by_amount",
        },
        "enforcement": {"unpaid_amount": "unpaid_from_executed"},
    },
)
