"""江门: every agency exports GBK CSV with a title row; the court's docket has every
case type.

- Enforcement: 执恢 (restored after 终本), 执异 (objection) and 执保 (preservation)
  cases beside 执 ones, numbered per type (最高人民法院关于人民法院案件案号的若干规定);
  no 未履行金额 (the engine derives it) and no 申请执行人证件号码.
- Deposits: no 应存金额 (derived from contract × rate) and no 备注.
- Clerks note a natural person's status (张三(包工头), 李四（个人）).
- World: 终本 cases later restored (执恢) are planted as ZB-WITH-ASSETS decoys.
"""

from __future__ import annotations

from screening.synth.dialect import Dialect, Layout, WorldKnobs

DIALECT = Dialect(
    name="jiangmen",
    description="江门: GBK CSVs with title rows, 执恢/执异/执保, person notes, workers' site words",
    world=WorldKnobs(
        focus_city="440700",
        banks=(
            "中国工商银行股份有限公司江门分行",
            "中国建设银行股份有限公司江门市分行",
            "广东江门农村商业银行股份有限公司",
            "中国农业银行股份有限公司江门分行",
            "中国银行股份有限公司江门分行",
            "广东新会农村商业银行股份有限公司",
        ),
        committee_at_employer=0.2,
        enforcement_case_types=True,
        restored_decoys=True,
    ),
    layouts={
        "registry": Layout(
            files="registry/市场主体登记信息.csv",
            encoding="gbk",
            title="江门市市场主体登记信息（数据提取）",
            columns=(
                ("统一社会信用代码", "统一社会信用代码"),
                ("企业名称", "企业名称"),
                ("法定代表人", "法定代表人"),
                ("企业类型", "企业类型"),
                ("登记状态", "登记状态"),
                ("注销/吊销日期", "注销/吊销日期"),
                ("注销原因", "注销原因"),
                ("注册资本(万元)", "注册资本(万元)"),
                ("实缴资本(万元)", "实缴资本(万元)"),
                ("成立日期", "成立日期"),
                ("住所", "住所"),
            ),
        ),
        "projects": Layout(
            files="projects/在建工程项目清单.csv",
            encoding="gbk",
            title="江门市房屋建筑和市政基础设施工程项目清单",
            columns=(
                ("项目编号", "项目编号"),
                ("施工许可证编号", "施工许可证编号"),
                ("项目名称", "项目名称"),
                ("所在县(市、区)", "所在区县"),
                ("建设单位", "建设单位"),
                ("建设单位统一社会信用代码", "建设单位统一社会信用代码"),
                ("总包单位", "施工总承包单位"),
                ("总包单位统一社会信用代码", "施工总承包单位统一社会信用代码"),
                ("合同造价(万元)", "合同金额(万元)"),
                ("发证日期", "发证日期"),
                ("开工日期", "开工日期"),
                ("竣工日期", "竣工验收日期"),
                ("项目状态", "项目状态"),
            ),
        ),
        "deposits": Layout(
            files="deposits/农民工工资保证金缴存情况.csv",
            encoding="gbk",
            title="农民工工资保证金缴存情况表",
            columns=(
                ("施工许可证编号", "施工许可证编号"),
                ("项目名称", "项目名称"),
                ("施工单位", "总承包单位"),
                ("施工单位统一社会信用代码", "总承包单位统一社会信用代码"),
                ("中标合同价(元)", "施工合同额(元)"),
                ("缴存比例", "存储比例"),
                ("实缴金额(元)", "实存金额(元)"),
                ("缴存方式", "存储方式"),
                ("缴存日期", "存储日期"),
                ("保函有效期至", "保函有效期至"),
                ("动用金额(元)", "动用金额(元)"),
                ("动用日期", "动用日期"),
                ("返还申请日期", "返还申请日期"),
                ("公示开始日期", "公示开始日期"),
                ("公示结束日期", "公示结束日期"),
                ("返还日期", "返还日期"),
            ),
        ),
        "arbitration": Layout(
            files="arbitration/劳动人事争议仲裁案件_{year}.csv",
            encoding="gbk",
            title="{year}年度劳动人事争议仲裁案件登记表",
            columns=(
                ("案号", "案号"),
                ("申请人", "申请人"),
                ("申请人身份证号码", "申请人身份证号码"),
                ("申请人联系电话", "申请人联系电话"),
                ("被申请人名称", "被申请人"),
                ("被申请人统一社会信用代码", "被申请人统一社会信用代码"),
                ("争议项目", "涉及项目"),
                ("案由", "案由"),
                ("请求金额(元)", "请求金额(元)"),
                ("裁决/调解金额(元)", "裁决/调解金额(元)"),
                ("立案日期", "立案日期"),
                ("结案日期", "结案日期"),
                ("结案方式", "结案方式"),
                ("是否终局裁决", "是否终局裁决"),
                ("生效日期", "生效日期"),
                ("备注", "备注"),
            ),
        ),
        "enforcement": Layout(
            files="enforcement/执行案件_{year}.csv",
            encoding="gbk",
            title="{year}年执行案件信息",
            columns=(
                ("案号", "执行案号"),
                ("执行法院", "执行法院"),
                ("申请执行人", "申请执行人"),
                ("被执行人", "被执行人"),
                ("被执行人身份证件号码/统一社会信用代码", "被执行人证照号码"),
                ("执行依据", "执行依据"),
                ("案由", "案由"),
                ("立案日期", "立案日期"),
                ("结案日期", "结案日期"),
                ("结案方式", "结案方式"),
                ("申请执行标的(元)", "申请执行标的(元)"),
                ("执行到位金额(元)", "实际执行到位金额(元)"),
                ("失信被执行人", "失信被执行人"),
                ("备注", "备注"),
            ),
        ),
    },
    remarks={
        "paid": ("已自动履行完毕", "款项已付清", "当庭付清"),
        "gc_advanced": ("总承包单位代为支付", "总包先行垫付"),
        "iou": ("只有欠条", "证据仅欠条一张"),
        "debtor_deregistered": ("被执行人已注销登记",),
        "debtor_absconded": ("被执行人下落不明，无财产可供执行",),
        "restored": ("申请执行人提供财产线索，恢复执行",),
    },
    habits={"person_note": 0.5, "site_statement": 0.4},
    person_notes=("(包工头)", "（个人）", "（自然人）", "(个体)"),
    site_statements=(
        "在{site}做木工",
        "在{site}做泥水工",
        "{site}钢筋工",
        "于{site}务工",
        "{site}打工（杂工）",
    ),
    derive={
        "deposits": {"required_amount": "deposit_required_from_rate"},
        "enforcement": {"unpaid_amount": "unpaid_from_executed"},
    },
)
