"""深圳: a city whose agencies run their own systems, written in their own words.

- Arbitration: one UTF-8 CSV ledger for all years, numbers without 字 and 第
  (深南劳人仲案〔2024〕1234号), headers naming the parties' roles (被申请人(用人单位)),
  no 生效日期 (the engine derives it from the closing date, method and finality).
- Registry as UTF-8 CSV with a BOM (商事主体); projects and deposits as workbooks with
  named sheets; enforcement as yearly workbooks.
- Remarks in other words (被申请人已当庭支付, 由总包单位代付, 证据为白条).
- Clerks shorten names with industry short forms (南山宏达汽配公司).
- World: some project cases are heard where the employer is registered (第21条);
  经济补偿金 / 二倍工资差额 awards are planted as decoys.
"""

from __future__ import annotations

from screening.synth.dialect import Dialect, Layout, WorldKnobs

DIALECT = Dialect(
    name="shenzhen",
    description="深圳: own headers, one arbitration ledger, no 生效日期, short names",
    world=WorldKnobs(
        focus_city="440300",
        banks=(
            "中国工商银行股份有限公司深圳分行",
            "中国建设银行股份有限公司深圳市分行",
            "深圳农村商业银行股份有限公司",
            "中国农业银行股份有限公司深圳分行",
            "招商银行股份有限公司深圳分行",
            "平安银行股份有限公司深圳分行",
        ),
        arbitration_style="no_di",
        committee_at_employer=0.3,
        non_wage_decoys=True,
        other_labour_causes=(
            "确认劳动关系",
            "经济补偿金",
            "违法解除劳动合同赔偿金",
            "未签订书面劳动合同二倍工资差额",
            "工伤保险待遇",
        ),
        extra_industries=("汽车配件", "照明电器", "保洁服务", "物业管理"),
    ),
    layouts={
        "registry": Layout(
            files="registry/商事主体登记信息.csv",
            encoding="utf-8-sig",
            columns=(
                ("统一社会信用代码", "统一社会信用代码"),
                ("商事主体名称", "企业名称"),
                ("法定代表人(负责人)", "法定代表人"),
                ("主体类型", "企业类型"),
                ("成立日期", "成立日期"),
                ("注册资本(万元)", "注册资本(万元)"),
                ("实缴资本(万元)", "实缴资本(万元)"),
                ("经营状态", "登记状态"),
                ("注吊销日期", "注销/吊销日期"),
                ("注销原因", "注销原因"),
                ("住所", "住所"),
            ),
        ),
        "projects": Layout(
            files="projects/建设工程施工许可信息.xlsx",
            sheet="施工许可",
            columns=(
                ("施工许可证号", "施工许可证编号"),
                ("项目代码", "项目编号"),
                ("工程名称", "项目名称"),
                ("建设单位名称", "建设单位"),
                ("建设单位统一社会信用代码", "建设单位统一社会信用代码"),
                ("施工单位名称", "施工总承包单位"),
                ("施工单位统一社会信用代码", "施工总承包单位统一社会信用代码"),
                ("合同价格(万元)", "合同金额(万元)"),
                ("发证日期", "发证日期"),
                ("实际开工日期", "开工日期"),
                ("竣工验收备案日期", "竣工验收日期"),
                ("工程状态", "项目状态"),
                ("所属行政区", "所在区县"),
            ),
        ),
        "deposits": Layout(
            files="deposits/工资保证金存储台账.xlsx",
            sheet="保证金台账",
            columns=(
                ("工程名称", "项目名称"),
                ("施工许可证号", "施工许可证编号"),
                ("施工总承包企业", "总承包单位"),
                ("统一社会信用代码", "总承包单位统一社会信用代码"),
                ("合同金额(元)", "施工合同额(元)"),
                ("存储比例", "存储比例"),
                ("应存金额(元)", "应存金额(元)"),
                ("实存金额(元)", "实存金额(元)"),
                ("存储形式", "存储方式"),
                ("保函到期日", "保函有效期至"),
                ("存储日期", "存储日期"),
                ("动用金额(元)", "动用金额(元)"),
                ("动用日期", "动用日期"),
                ("申请返还日期", "返还申请日期"),
                ("公示开始日期", "公示开始日期"),
                ("公示截止日期", "公示结束日期"),
                ("返还日期", "返还日期"),
                ("备注", "备注"),
            ),
        ),
        "arbitration": Layout(
            files="arbitration/劳动人事争议仲裁案件台账.csv",
            columns=(
                ("案号", "案号"),
                ("立案日期", "立案日期"),
                ("申请人(劳动者)", "申请人"),
                ("身份证号码", "申请人身份证号码"),
                ("联系电话", "申请人联系电话"),
                ("被申请人(用人单位)", "被申请人"),
                ("用人单位统一社会信用代码", "被申请人统一社会信用代码"),
                ("工作地点/项目", "涉及项目"),
                ("案由", "案由"),
                ("申请金额(元)", "请求金额(元)"),
                ("裁决调解金额(元)", "裁决/调解金额(元)"),
                ("结案日期", "结案日期"),
                ("结案方式", "结案方式"),
                ("是否终局裁决", "是否终局裁决"),
                ("备注", "备注"),
            ),
        ),
        "enforcement": Layout(
            files="enforcement/执行案件信息_{year}.xlsx",
            sheet="执行案件",
            columns=(
                ("案号", "执行案号"),
                ("承办法院", "执行法院"),
                ("立案日期", "立案日期"),
                ("申请执行人", "申请执行人"),
                ("申请执行人证件号", "申请执行人证件号码"),
                ("被执行人", "被执行人"),
                ("被执行人证件号码", "被执行人证照号码"),
                ("执行依据文书编号", "执行依据"),
                ("案由", "案由"),
                ("申请执行标的金额(元)", "申请执行标的(元)"),
                ("实际到位金额(元)", "实际执行到位金额(元)"),
                ("未履行金额(元)", "未履行金额(元)"),
                ("结案日期", "结案日期"),
                ("结案方式", "结案方式"),
                ("是否失信被执行人", "失信被执行人"),
                ("备注", "备注"),
            ),
        ),
    },
    remarks={
        "paid": ("被申请人已当庭支付", "已履行完毕", "款已结清"),
        "gc_advanced": ("由总包单位代付", "总承包方先行垫付"),
        "iou": ("仅有欠条", "证据为白条"),
        "paid_on_the_spot": ("调解当场支付完毕",),
        "renewal": ("保函已展期",),
    },
    habits={"industry_short": 0.25},
    derive={"arbitration": {"effective_date": "award_effective_date"}},
)
