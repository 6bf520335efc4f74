"""惠州: committees number by district name and a separate column names the committee.

- Arbitration: 惠阳劳人仲字[2024]第56号, with 仲裁机构 (惠州市惠阳区劳动人事争议仲裁院)
  in a column of its own; no phone and no employer code in the ledger.
- Enforcement: one UTF-8 CSV for all years, no 申请执行人证件号码.
- Deposits: GBK CSV without 备注. Projects: UTF-8 CSV with a BOM.
- Clerks type a branch (分公司) with its head office's code.
- World: many project cases are heard where the employer is registered (第21条);
  经济补偿金 / 二倍工资差额 awards are planted as decoys.

Nothing this dialect lacks needs deriving: its manifest reads with plain column maps.
"""

from __future__ import annotations

from screening.synth.dialect import COMMITTEE_NAME, Dialect, Layout, WorldKnobs

DIALECT = Dialect(
    name="huizhou",
    description="惠州: district-named case numbers, 仲裁机构 column, branch codes",
    world=WorldKnobs(
        focus_city="441300",
        banks=(
            "中国工商银行股份有限公司惠州分行",
            "中国建设银行股份有限公司惠州市分行",
            "惠州农村商业银行股份有限公司",
            "中国农业银行股份有限公司惠州分行",
            "中国银行股份有限公司惠州分行",
            "惠州惠阳农村商业银行股份有限公司",
        ),
        arbitration_style="district_square",
        committee_at_employer=0.35,
        non_wage_decoys=True,
        other_labour_causes=(
            "确认劳动关系",
            "经济补偿金",
            "违法解除劳动合同赔偿金",
            "二倍工资差额",
            "工伤保险待遇",
        ),
    ),
    layouts={
        "registry": Layout(
            files="registry/企业登记信息.xlsx",
            sheet="企业信息",
            columns=(
                ("企业名称", "企业名称"),
                ("统一社会信用代码", "统一社会信用代码"),
                ("登记状态", "登记状态"),
                ("注销/吊销日期", "注销/吊销日期"),
                ("注销原因", "注销原因"),
                ("法定代表人", "法定代表人"),
                ("企业类型", "企业类型"),
                ("成立日期", "成立日期"),
                ("注册资本(万元)", "注册资本(万元)"),
                ("实缴资本(万元)", "实缴资本(万元)"),
                ("住所", "住所"),
            ),
        ),
        "projects": Layout(
            files="projects/施工许可项目.csv",
            encoding="utf-8-sig",
            columns=(
                ("项目编号", "项目编号"),
                ("项目名称", "项目名称"),
                ("施工许可证编号", "施工许可证编号"),
                ("建设单位", "建设单位"),
                ("建设单位统一社会信用代码", "建设单位统一社会信用代码"),
                ("施工总承包单位", "施工总承包单位"),
                ("施工总承包单位统一社会信用代码", "施工总承包单位统一社会信用代码"),
                ("合同金额(万元)", "合同金额(万元)"),
                ("发证日期", "发证日期"),
                ("开工日期", "开工日期"),
                ("竣工验收日期", "竣工验收日期"),
                ("项目状态", "项目状态"),
                ("所在县区", "所在区县"),
            ),
        ),
        "deposits": Layout(
            files="deposits/工资保证金.csv",
            encoding="gbk",
            columns=(
                ("项目名称", "项目名称"),
                ("施工许可证编号", "施工许可证编号"),
                ("总承包单位", "总承包单位"),
                ("总承包单位统一社会信用代码", "总承包单位统一社会信用代码"),
                ("施工合同额(元)", "施工合同额(元)"),
                ("存储比例", "存储比例"),
                ("应存金额(元)", "应存金额(元)"),
                ("实存金额(元)", "实存金额(元)"),
                ("存储方式", "存储方式"),
                ("保函有效期至", "保函有效期至"),
                ("存储日期", "存储日期"),
                ("动用金额(元)", "动用金额(元)"),
                ("动用日期", "动用日期"),
                ("返还申请日期", "返还申请日期"),
                ("公示开始日期", "公示开始日期"),
                ("公示结束日期", "公示结束日期"),
                ("返还日期", "返还日期"),
            ),
        ),
        "arbitration": Layout(
            files="arbitration/仲裁结案案件_{year}.xlsx",
            sheet="仲裁案件",
            title="惠州市劳动人事争议仲裁案件（{year}年立案）",
            columns=(
                ("仲裁机构", COMMITTEE_NAME),
                ("案号", "案号"),
                ("申请人", "申请人"),
                ("申请人证件号码", "申请人身份证号码"),
                ("被申请人(用人单位)", "被申请人"),
                ("涉及项目", "涉及项目"),
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
            files="enforcement/法院执行案件.csv",
            columns=(
                ("执行案号", "执行案号"),
                ("执行法院", "执行法院"),
                ("申请执行人", "申请执行人"),
                ("被执行人", "被执行人"),
                ("被执行人证照号码", "被执行人证照号码"),
                ("执行依据", "执行依据"),
                ("案由", "案由"),
                ("立案日期", "立案日期"),
                ("结案日期", "结案日期"),
                ("结案方式", "结案方式"),
                ("申请执行标的(元)", "申请执行标的(元)"),
                ("实际执行到位金额(元)", "实际执行到位金额(元)"),
                ("未履行金额(元)", "未履行金额(元)"),
                ("失信被执行人", "失信被执行人"),
                ("备注", "备注"),
            ),
        ),
    },
    remarks={
        "paid": ("已履行完毕", "款已结清", "被申请人已当庭支付"),
        "gc_advanced": ("由总包单位代付", "总承包方先行垫付"),
        "iou": ("仅有欠条", "证据为白条"),
    },
    habits={"branch_head_uscc": 0.6, "industry_short": 0.15},
)
