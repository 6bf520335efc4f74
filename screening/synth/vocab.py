"""Word pools the synthetic world draws names from.

Kept as data so the generator reads like a description of the world. Characters are all
in GBK, because two of the agencies deliver GBK-encoded CSV.
"""

from __future__ import annotations

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力永健世广志义兴良海山仁波宁贵福生"
    "龙元全胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦"
)

# Trade names (字号) are two characters from these pools; collisions across districts are
# deliberate: the same 字号 in two districts is two companies.
TRADE_FIRST = "宏华恒永金鑫广盛荣信德嘉瑞祥泰兴隆富安康明顺昌鸿伟创新正中达骏耀丰和源邦联博晟建粤佛"
TRADE_SECOND = "达建信盛源泰祥兴昌华发安宇业通成顺丰利鑫诚隆汇基邦辉腾远润豪景峰辰锦洲"

# Industry words by company kind; the first word of a kind is its most common.
INDUSTRY_WORDS = {
    "developer": ("房地产开发", "置业", "地产", "投资发展", "实业"),
    "contractor": ("建设", "建筑工程", "建工", "建设工程", "建筑"),
    "labour": ("建筑劳务", "劳务", "劳务分包", "建筑劳务分包", "人力资源"),
    "specialist": ("装饰工程", "机电安装", "市政工程", "园林绿化", "幕墙工程", "钢结构工程"),
    "other": (
        "贸易",
        "餐饮管理",
        "电子科技",
        "物流",
        "五金制品",
        "家具",
        "服装",
        "食品",
        "陶瓷",
        "塑料制品",
    ),
}
LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
GROUP_FORM = "集团有限公司"

# One-character typos clerks make: same-sound characters (同音字) typed by pinyin input.
HOMOPHONES = {
    "宏": "红洪弘",
    "达": "大",
    "华": "化",
    "恒": "衡",
    "永": "涌",
    "鑫": "新欣",
    "盛": "胜",
    "荣": "容",
    "信": "讯",
    "德": "得",
    "嘉": "佳家",
    "瑞": "锐",
    "祥": "翔",
    "泰": "太",
    "兴": "星",
    "隆": "龙",
    "富": "福",
    "明": "鸣",
    "顺": "舜",
    "昌": "长",
    "鸿": "宏",
    "伟": "玮",
    "创": "闯",
    "新": "鑫",
    "源": "元",
    "骏": "俊",
    "耀": "曜",
    "丰": "峰",
    "和": "禾",
    "邦": "帮",
    "联": "连",
    "博": "搏",
    "晟": "盛",
    "建": "健",
    "筑": "竹",
    "程": "成",
    "装": "庄",
    "饰": "式",
    "宇": "雨",
    "通": "同",
    "成": "诚",
    "利": "力",
    "诚": "成",
    "汇": "惠",
    "基": "机",
    "辉": "晖",
    "腾": "滕",
    "远": "源",
    "润": "闰",
    "豪": "浩",
    "景": "井",
    "峰": "锋",
    "辰": "晨",
    "锦": "金",
    "洲": "州",
    "业": "叶",
}

ESTATE_WORDS = (
    "碧桂",
    "翠湖",
    "锦绣",
    "滨江",
    "御景",
    "星河",
    "云山",
    "保利",
    "万科",
    "美的",
    "时代",
    "雅居",
    "金色",
    "海伦",
    "东方",
    "华府",
    "君悦",
    "世纪",
    "新城",
    "悦府",
    "江湾",
    "紫荆",
    "丽园",
    "翡翠",
)
ESTATE_SUFFIXES = ("花园", "名苑", "华庭", "雅苑", "广场", "城", "公馆", "湾")
PHASES = ("一期", "二期", "三期", "", "", "")
PROJECT_KINDS = (
    "住宅工程",
    "住宅楼工程",
    "商住楼项目",
    "厂房建设项目",
    "综合楼工程",
    "学校改扩建工程",
    "市政道路工程",
    "安置房项目",
    "产业园一期工程",
    "医院综合楼工程",
)
TOWN_WORDS = ("街道", "镇")

WAGE_CAUSES = ("追索劳动报酬", "追索劳动报酬", "追索劳动报酬", "追索劳动报酬纠纷", "拖欠工资")
OTHER_LABOUR_CAUSES = ("确认劳动关系", "经济补偿金", "工伤保险待遇", "未签劳动合同二倍工资")
NO_MONEY_CAUSES = ("确认劳动关系",)  # causes that award no money
NON_WAGE_ENFORCEMENT_CAUSES = (
    "借款合同纠纷",
    "买卖合同纠纷",
    "民间借贷纠纷",
    "租赁合同纠纷",
    "建设工程施工合同纠纷",
    "机动车交通事故责任纠纷",
    "金融借款合同纠纷",
    "服务合同纠纷",
)
BANKS = (
    "中国工商银行股份有限公司佛山分行",
    "中国建设银行股份有限公司佛山市分行",
    "广东顺德农村商业银行股份有限公司",
    "中国农业银行股份有限公司佛山分行",
    "佛山农村商业银行股份有限公司",
    "招商银行股份有限公司佛山分行",
)

# Remarks (备注): facts no column holds. Rules must read these.
PAID_REMARKS = (
    "已自动履行",
    "当庭履行",
    "款项已付清",
    "调解协议已履行完毕",
    "被申请人已支付全部款项",
)
GC_ADVANCED_REMARKS = ("总包垫付", "总承包单位已垫付工资", "施工总承包单位先行垫付")
IOU_REMARKS = ("仅有欠条", "申请人仅提供欠条一张", "证据为欠条")
MEDIATION_MILL_REMARKS = ("调解协议已当场履行", "当场履行")
RENEWAL_REMARKS = ("保函续期", "续保", "保函已续期")

# Every fixed remark phrase the generator writes, by the fact it states: dialects rephrase
# a remark by its category (screening.synth.dialects).
REMARK_CATEGORIES = {
    **dict.fromkeys(PAID_REMARKS, "paid"),
    **dict.fromkeys(GC_ADVANCED_REMARKS, "gc_advanced"),
    **dict.fromkeys(IOU_REMARKS, "iou"),
    **dict.fromkeys(MEDIATION_MILL_REMARKS, "paid_on_the_spot"),
    **dict.fromkeys(RENEWAL_REMARKS, "renewal"),
    "被执行人已注销": "debtor_deregistered",
    "被执行人下落不明": "debtor_absconded",
    "执行和解协议已履行": "settlement_performed",
    "申请执行人撤回执行申请": "enforcement_withdrawn",
    "申请执行人申请恢复执行": "restored",
}
RESTORED_REMARK = "申请执行人申请恢复执行"

# Closing methods of the court's other enforcement case types (dialects with 执保 / 执异).
PRESERVATION_CLOSINGS = ("保全完毕", "保全完毕", "解除保全")
OBJECTION_CLOSINGS = ("驳回异议", "驳回异议", "异议成立", "准许撤回异议")

# How clerks shorten industry words (南海汽车配件有限公司 → 南海汽配); an industry word
# not listed here is kept whole.
INDUSTRY_SHORT_FORMS = {
    "房地产开发": "地产",
    "投资发展": "投资",
    "城市建设投资": "城投",
    "建筑工程": "建工",
    "建设工程": "建设",
    "建筑劳务": "劳务",
    "劳务分包": "劳务",
    "建筑劳务分包": "劳务",
    "人力资源": "人力",
    "装饰工程": "装饰",
    "机电安装": "机电",
    "市政工程": "市政",
    "园林绿化": "园林",
    "幕墙工程": "幕墙",
    "钢结构工程": "钢构",
    "餐饮管理": "餐饮",
    "电子科技": "电子",
    "五金制品": "五金",
    "塑料制品": "塑料",
    "汽车配件": "汽配",
    "照明电器": "照明",
    "保洁服务": "保洁",
    "物业管理": "物业",
}

# Home provinces of migrant workers, by the capital-city code their ID numbers begin with.
WORKER_HOME_CODES = (
    "450100",
    "430100",
    "510100",
    "520100",
    "360100",
    "420100",
    "410100",
    "440100",
    "440600",
    "440600",
    "440600",
    "441400",
    "445200",
    "440800",
)
