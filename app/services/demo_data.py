"""Static lists for the demo competition: projects, delegations, names, aspect wording.

The generator in app/services/demo.py draws from these with a seeded random.Random, so
changing the order or content of a list changes the generated demo (names, ID numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.domain.vocabulary import DelegationKind, DivisionKind, ProjectKind, Tier

COMPETITION_NAME = "2020年上海市“四大品牌”职业技能竞赛决赛日"
COMPETITION_TIER = Tier.MUNICIPAL_I
COMPETITION_YEAR = 2020
COMPETITION_START = date(2020, 11, 20)
COMPETITION_END = date(2020, 11, 22)
COMPETITION_HOST = "上海市人力资源和社会保障局"
# Every project ends on the final day at 17:00 in Shanghai; appeals close two hours later.
PROJECTS_END = datetime(2020, 11, 22, 9, 0, tzinfo=UTC)

# (zone name, is_main, [(venue name, address)])
ZONES: tuple[tuple[str, bool, tuple[tuple[str, str], ...]], ...] = (
    ("主赛区", True, (
        ("上海世博展览馆 1号馆", "上海市浦东新区国展路1099号"),
        ("上海世博展览馆 2号馆", "上海市浦东新区国展路1099号"),
        ("上海世博展览馆 3号馆", "上海市浦东新区国展路1099号"),
    )),
    ("分赛区（奉贤）", False, (
        ("上海电子信息职业技术学院 实训中心", "上海市奉贤区"),
        ("上海城建职业学院 实训中心", "上海市奉贤区"),
    )),
)

# Which venue (index into the flattened venue list above) hosts each project family.
FAMILY_VENUE = {
    "mfg": 0, "auto": 0, "care": 1, "food": 1, "service": 1, "design": 2, "lab": 2,
    "ict": 3, "build": 4,
}

BOTH = (DivisionKind.EMPLOYEE, DivisionKind.STUDENT)
EMPLOYEE = (DivisionKind.EMPLOYEE,)
STUDENT = (DivisionKind.STUDENT,)
WS = ProjectKind.WORLDSKILLS_SELECTION
GS = ProjectKind.NATIONAL_SELECTED
TS = ProjectKind.FEATURED


@dataclass(frozen=True)
class ProjectData:
    name: str
    occupation_name: str
    occupation_code: str
    kind: ProjectKind
    team_size: int
    divisions: tuple[DivisionKind, ...]
    family: str  # selects aspect wording, employers, venue and who fields competitors
    modules: tuple[str, str, str, str, str]  # names of modules A–E
    female_share: float


# The order gives the codes S01…S32; demo accounts are made for the first projects.
PROJECTS: tuple[ProjectData, ...] = (
    ProjectData("工业机械", "机修钳工", "6-31-01-02", WS, 1, BOTH, "mfg",
                ("设备安装与调试", "机械装配与对中", "液压与气动系统", "故障诊断与维修",
                 "安全与职业素养"), 0.1),
    ProjectData("增材制造", "增材制造设备操作员", "6-18-04-04", WS, 1, BOTH, "mfg",
                ("三维建模", "逆向工程", "打印工艺规划", "后处理与装配", "检测与质量控制"), 0.2),
    ProjectData("工业4.0", "智能制造工程技术人员", "2-02-07-13", WS, 3, BOTH, "mfg",
                ("网络与数据采集", "信息物理系统集成", "生产线数字孪生", "故障诊断与优化",
                 "团队协作与展示"), 0.15),
    ProjectData("养老护理", "养老护理员", "4-10-01-05", GS, 1, BOTH, "care",
                ("生活照护", "基础照护", "康复服务", "心理支持", "照护评估与沟通"), 0.8),
    ProjectData("网约配送", "网约配送员", "4-02-07-10", TS, 1, EMPLOYEE, "service",
                ("订单接取与路线规划", "商品取送与交付", "交通安全与应急处置", "客户沟通与服务",
                 "平台操作与异常处理"), 0.1),
    ProjectData("西式面点", "西式面点师", "4-03-02-04", GS, 1, BOTH, "food",
                ("法式甜点", "巧克力工艺", "糖艺造型", "维也纳面包", "卫生与工作组织"), 0.6),
    ProjectData("美容", "美容师", "4-10-03-01", GS, 1, BOTH, "service",
                ("面部护理", "身体护理", "美甲与手足护理", "化妆与造型", "卫生安全与客户沟通"),
                0.9),
    ProjectData("汽车技术", "汽车维修工", "4-12-01-01", WS, 1, BOTH, "auto",
                ("发动机管理系统", "底盘与悬架", "车身电气系统", "新能源汽车高压系统",
                 "诊断报告与规范"), 0.05),
    ProjectData("电气装置", "电工", "6-31-01-03", WS, 1, BOTH, "mfg",
                ("电路设计与安装", "布线与敷设", "智能照明与控制", "检测与调试", "故障排除"), 0.1),
    ProjectData("焊接", "焊工", "6-18-02-04", WS, 1, BOTH, "mfg",
                ("压力容器焊接", "铝合金结构焊接", "不锈钢结构焊接", "碳钢管焊接",
                 "焊缝外观与无损检测"), 0.05),
    ProjectData("数控车", "车工", "6-18-01-01", WS, 1, BOTH, "mfg",
                ("工艺编制", "编程与仿真", "零件加工", "尺寸精度", "表面质量与安全"), 0.1),
    ProjectData("数控铣", "铣工", "6-18-01-02", WS, 1, BOTH, "mfg",
                ("工艺与编程", "多轴加工", "零件加工", "尺寸与形位精度", "表面质量与安全"), 0.1),
    ProjectData("移动机器人", "工业机器人系统操作员", "6-30-99-00", WS, 2, STUDENT, "mfg",
                ("机器人设计与搭建", "传感与控制编程", "自主导航任务", "团队协作与文档",
                 "系统调试与演示"), 0.2),
    ProjectData("网络系统管理", "网络与信息安全管理员", "4-04-04-02", WS, 1, BOTH, "ict",
                ("Linux 服务配置", "Windows 服务配置", "网络设备配置", "网络安全",
                 "故障排除与文档"), 0.2),
    ProjectData("网站设计与开发", "计算机程序设计员", "4-04-05-01", WS, 1, BOTH, "ict",
                ("网页设计与用户体验", "前端开发", "后端开发", "内容管理系统", "项目管理与沟通"),
                0.3),
    ProjectData("信息网络布线", "信息通信网络线务员", "4-04-01-03", WS, 1, BOTH, "ict",
                ("光纤熔接与测试", "铜缆布线", "综合布线设计", "故障诊断", "安全施工规范"), 0.15),
    ProjectData("制冷与空调", "制冷空调系统安装维修工", "6-29-03-03", WS, 1, BOTH, "build",
                ("系统安装", "电气控制接线", "抽真空与充注", "调试与性能测试", "故障诊断与维修"),
                0.05),
    ProjectData("砌筑", "砌筑工", "6-29-01-01", WS, 1, BOTH, "build",
                ("识图与放线", "砌体尺寸与水平", "装饰砌体", "勾缝与清理", "安全文明施工"), 0.05),
    ProjectData("抹灰与隔墙系统", "抹灰工", "6-29-01-05", WS, 1, BOTH, "build",
                ("轻钢龙骨隔墙", "石膏板安装", "抹灰施工", "装饰线条", "平整度与安全"), 0.05),
    ProjectData("花艺", "插花花艺师", "4-07-11-01", WS, 1, BOTH, "design",
                ("新娘手捧花", "餐桌花", "空间装饰", "神秘箱创作", "工艺与可持续"), 0.7),
    ProjectData("烘焙", "糕点面包烘焙工", "6-02-01-01", TS, 1, BOTH, "food",
                ("甜面团制品", "酸面团面包", "装饰面包造型", "创意面包", "卫生与工作组织"), 0.5),
    ProjectData("餐厅服务", "餐厅服务员", "4-03-02-05", WS, 1, BOTH, "service",
                ("餐前准备", "中餐服务", "西餐服务", "酒水服务", "宴会布置与沟通"), 0.6),
    ProjectData("酒店接待", "前厅服务员", "4-03-01-01", WS, 1, STUDENT, "service",
                ("入住登记", "客户投诉处理", "预订与销售", "退房结账", "英语沟通"), 0.7),
    ProjectData("时装技术", "服装制版师", "6-05-01-01", WS, 1, BOTH, "design",
                ("服装设计", "平面制版", "立体裁剪", "缝制工艺", "整体效果"), 0.7),
    ProjectData("平面设计技术", "视觉传达设计人员", "2-09-06-02", WS, 1, BOTH, "design",
                ("品牌视觉设计", "包装设计", "海报与出版物", "数字媒体设计", "印前与文件规范"),
                0.5),
    ProjectData("商品展示技术", "商品营业员", "4-01-02-03", TS, 1, BOTH, "design",
                ("橱窗设计方案", "道具制作", "陈列与照明", "标识与文字", "整体视觉效果"), 0.6),
    ProjectData("健康和社会照护", "医疗护理员", "4-14-01-02", GS, 1, BOTH, "care",
                ("日常生活照护", "医疗护理技术", "康复与活动", "沟通与心理支持", "健康教育"), 0.8),
    ProjectData("车身修理", "汽车维修工", "4-12-01-01", WS, 1, BOTH, "auto",
                ("车身测量与校正", "结构件更换", "板件修复", "焊接与连接", "安全与工具使用"), 0.05),
    ProjectData("汽车喷漆", "汽车维修工", "4-12-01-01", WS, 1, BOTH, "auto",
                ("表面处理", "中涂施工", "面漆喷涂", "调色与配色", "创意喷涂"), 0.1),
    ProjectData("混凝土建筑", "混凝土工", "6-29-01-03", GS, 2, BOTH, "build",
                ("识图与放线", "模板工程", "钢筋工程", "混凝土浇筑", "尺寸精度与外观"), 0.05),
    ProjectData("水处理技术", "水生产处理工", "6-28-02-01", TS, 1, EMPLOYEE, "lab",
                ("水质分析", "工艺系统运行", "设备维护", "应急处置", "数据与报告"), 0.4),
    ProjectData("化学实验室技术", "化学检验员", "4-08-05-03", GS, 1, STUDENT, "lab",
                ("样品制备", "定量分析", "仪器分析", "实验室安全", "数据处理与报告"), 0.5),
)


@dataclass(frozen=True)
class DelegationData:
    name: str
    kind: DelegationKind
    families: frozenset[str]  # the project families it fields competitors in (districts: all)
    employers: tuple[str, ...] = ()  # for 职工组
    schools: tuple[str, ...] = ()  # for 学生组
    area_code: str = ""  # district delegations: the ID-number area code of the district


ALL_FAMILIES = frozenset(FAMILY_VENUE)

# The 16 districts with their ID-number area codes (GB/T 2260).
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("黄浦区", "310101"), ("徐汇区", "310104"), ("长宁区", "310105"), ("静安区", "310106"),
    ("普陀区", "310107"), ("虹口区", "310109"), ("杨浦区", "310110"), ("闵行区", "310112"),
    ("宝山区", "310113"), ("嘉定区", "310114"), ("浦东新区", "310115"), ("金山区", "310116"),
    ("松江区", "310117"), ("青浦区", "310118"), ("奉贤区", "310120"), ("崇明区", "310151"),
)
AREA_CODES = tuple(code for _, code in DISTRICTS)

# District employers are generated as 上海<district><word>有限公司 per project family.
FAMILY_COMPANY_WORDS: dict[str, tuple[str, ...]] = {
    "mfg": ("精密机械", "机电设备", "智能装备"),
    "auto": ("汽车销售服务", "汽车维修"),
    "build": ("建设工程", "建筑装饰", "机电安装"),
    "ict": ("信息技术", "网络科技"),
    "care": ("康养服务", "养老服务"),
    "food": ("餐饮管理", "食品"),
    "service": ("酒店管理", "商贸", "物流"),
    "design": ("文化创意", "设计"),
    "lab": ("环境检测", "水务"),
}

def _other(name: str, kind: DelegationKind, families: str, employers: str = "",
           schools: str = "") -> DelegationData:
    """A non-district delegation; families and units are space-separated for brevity."""
    return DelegationData(name, kind, frozenset(families.split()),
                          tuple(employers.split()), tuple(schools.split()))


_IND, _ENT, _SCH = DelegationKind.INDUSTRY, DelegationKind.ENTERPRISE, DelegationKind.SCHOOL

OTHER_DELEGATIONS: tuple[DelegationData, ...] = (
    _other("建设交通行业", _IND, "build auto",
           "上海市政工程建设发展有限公司 上海巴士公交（集团）有限公司", "上海市建筑工程学校"),
    _other("商务行业", _IND, "food service design",
           "拉扎斯网络科技（上海）有限公司 上海国际饭店有限公司 上海老凤祥有限公司",
           "上海市商业学校"),
    _other("卫生健康行业", _IND, "care lab",
           "上海市第一人民医院 上海市第六人民医院", "上海市医药学校"),
    _other("民政行业", _IND, "care",
           "上海市第一社会福利院 上海市第三社会福利院", "上海市民政职业技能培训中心"),
    _other("经济和信息化行业", _IND, "mfg ict",
           "上海华虹宏力半导体制造有限公司 上海微电子装备（集团）股份有限公司",
           "上海市工业技术学校"),
    _other("水务行业", _IND, "lab build",
           "上海城投水务（集团）有限公司 上海市供水管理事务中心", "上海市环境学校"),
    _other("上汽集团", _ENT, "auto mfg",
           "上汽大众汽车有限公司 上汽通用汽车有限公司 上海汽车集团股份有限公司乘用车分公司"),
    _other("宝武集团", _ENT, "mfg lab",
           "宝山钢铁股份有限公司 宝武装备智能科技有限公司 上海宝冶集团有限公司"),
    _other("上海电气", _ENT, "mfg build",
           "上海电气电站设备有限公司 上海电气输配电集团有限公司 上海三菱电梯有限公司"),
    _other("东方航空", _ENT, "mfg food service ict",
           "东方航空技术有限公司 东方航空食品投资有限公司 东方航空物流股份有限公司"),
    _other("上海建工", _ENT, "build",
           "上海建工一建集团有限公司 上海建工四建集团有限公司 上海市机械施工集团有限公司"),
    _other("申通地铁", _ENT, "mfg ict",
           "上海地铁维护保障有限公司 上海地铁第一运营有限公司"),
    _other("光明食品集团", _ENT, "food lab",
           "光明乳业股份有限公司 上海冠生园食品有限公司 上海梅林正广和股份有限公司"),
    _other("锦江国际集团", _ENT, "food service design",
           "锦江国际酒店管理有限公司 上海锦江饭店有限公司 上海新锦江大酒店有限公司"),
    _other("百联集团", _ENT, "food service design",
           "上海第一八佰伴有限公司 上海第一百货商业中心 联华超市股份有限公司"),
    # A school delegation's students study at the school itself.
    _other("上海市材料工程学校", _SCH, "mfg build", schools="上海市材料工程学校"),
    _other("上海工商外国语职业学院", _SCH, "food service design ict",
           schools="上海工商外国语职业学院"),
    _other("上海电子信息职业技术学院", _SCH, "ict mfg", schools="上海电子信息职业技术学院"),
    _other("上海市商贸旅游学校", _SCH, "food service design", schools="上海市商贸旅游学校"),
    _other("上海城建职业学院", _SCH, "build lab", schools="上海城建职业学院"),
    _other("上海健康医学院", _SCH, "care lab", schools="上海健康医学院"),
    _other("上海交通职业技术学院", _SCH, "auto mfg", schools="上海交通职业技术学院"),
)


def district_delegations() -> tuple[DelegationData, ...]:
    rows = []
    for name, code in DISTRICTS:
        short = name.removesuffix("新区").removesuffix("区")
        rows.append(DelegationData(
            name, DelegationKind.DISTRICT, ALL_FAMILIES,
            employers=(),  # generated per family, see FAMILY_COMPANY_WORDS
            schools=(f"上海市{name}职业技术学校", f"上海{short}高级技工学校"),
            area_code=code,
        ))
    return tuple(rows)


DELEGATIONS: tuple[DelegationData, ...] = district_delegations() + OTHER_DELEGATIONS

# Judges without a delegation come from units that field no competitors.
EXPERT_EMPLOYERS = (
    "上海市职业技能鉴定中心", "上海市技师协会", "上海交通大学", "同济大学", "上海理工大学",
    "上海应用技术大学", "上海第二工业大学", "上海市职业能力考试院",
)

# Frequent surnames, Shanghai's own (陆, 顾, 沈, 钱…) included; repeated ones are drawn
# more often.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈陈杨杨黄黄赵吴吴周周徐徐徐孙马朱朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈沈沈姚卢姜崔钟谭陆陆陆汪范金金石"
    "廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾顾顾毛郝龚邵万钱钱严武戴莫孔汤倪施"
)
MALE_GIVEN = (
    "伟强磊军杰涛明超勇俊浩斌鹏辉健峰刚凯宇晨博文昊轩亮成龙波飞鑫翔程睿东海华平建国志"
    "嘉豪宏毅锋振彬骏逸诚帅锐哲晟晖"
)
FEMALE_GIVEN = (
    "丽娟敏静婷燕芳霞玲琳洁颖雪倩萍红梅莉佳欣怡雯晶蕾慧瑶琪悦彤诗思雅婧妍蓉琴菲岚嘉"
    "露梦璐洋茜"
)

# Aspect wording per family: measurement (description, requirement, tolerance labels) and
# judgement subjects. Tolerance labels go best → worst; an empty tuple means full-or-nothing.
MeasurementData = tuple[str, str, tuple[str, ...]]

_TIME_TOLERANCE = ("规定时间内完成", "超时 5 分钟以内", "超时 5 分钟以上")
_CHECKLIST = ("全部符合", "1 处不符合", "2 处及以上不符合")

MEASUREMENT: dict[str, tuple[MeasurementData, ...]] = {
    "mfg": (
        ("关键尺寸符合图纸公差", "按图纸标注的公差测量",
         ("误差 ≤ 0.02 mm", "误差 ≤ 0.05 mm", "误差 > 0.05 mm")),
        ("表面粗糙度达到要求", "表面粗糙度 Ra ≤ 1.6 μm",
         ("Ra ≤ 1.6 μm", "Ra ≤ 3.2 μm", "Ra > 3.2 μm")),
        ("功能测试运行正常", "通电/运行测试一次通过", ()),
        ("装配顺序与方法正确", "符合作业指导书要求", _CHECKLIST),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
        ("安全防护用品穿戴规范", "全程按规定佩戴", ()),
        ("技术记录填写完整", "记录表无漏项、数据真实", ()),
    ),
    "auto": (
        ("故障点判断正确", "找出赛题设置的全部故障点", _CHECKLIST),
        ("检测数据记录准确", "与标准值对照，记录完整", ()),
        ("维修后功能恢复正常", "路试/台架测试通过", ()),
        ("拧紧力矩符合手册要求", "按维修手册力矩值", ("全部符合", "偏差 ≤ 10%", "偏差 > 10%")),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
        ("安全操作规范", "举升、断电、防护符合规程", ()),
    ),
    "build": (
        ("尺寸符合图纸", "按图纸测量", ("误差 ≤ 2 mm", "误差 ≤ 5 mm", "误差 > 5 mm")),
        ("水平度与垂直度", "2 m 靠尺检测", ("偏差 ≤ 1 mm", "偏差 ≤ 3 mm", "偏差 > 3 mm")),
        ("平整度达到要求", "2 m 靠尺检测", ("偏差 ≤ 2 mm", "偏差 ≤ 4 mm", "偏差 > 4 mm")),
        ("材料使用符合定额", "未超出规定用量", ()),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
        ("安全文明施工", "防护到位、场地整洁", ()),
    ),
    "ict": (
        ("服务配置正确并可访问", "按赛题要求逐项测试", _CHECKLIST),
        ("安全策略生效", "按测试用例验证", ()),
        ("功能按需求实现", "按需求清单逐项测试", _CHECKLIST),
        ("链路测试通过", "测试仪报告全部通过", ("全部通过", "1 条未通过", "2 条及以上未通过")),
        ("文档提交完整", "按模板提交全部文档", ()),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
    ),
    "care": (
        ("操作流程完整", "按评分细则逐项检查", _CHECKLIST),
        ("核对服务对象信息", "操作前核对身份与医嘱", ()),
        ("手卫生规范", "按七步洗手法", ()),
        ("安全防护措施到位", "防跌倒、防烫伤等措施落实", ()),
        ("记录填写规范", "护理记录完整准确", ()),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
    ),
    "food": (
        ("成品数量与规格符合要求", "按赛题规定数量与规格", _CHECKLIST),
        ("成品重量符合要求", "按规定重量称量", ("误差 ≤ 2%", "误差 ≤ 5%", "误差 > 5%")),
        ("个人卫生与着装规范", "符合食品卫生要求", ()),
        ("工作区域整洁", "操作中及结束后保持整洁", ()),
        ("原料使用符合要求", "未超出规定用量、无浪费", ()),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
    ),
    "service": (
        ("服务流程完整", "按服务标准逐项检查", _CHECKLIST),
        ("仪容仪表规范", "着装、发型、配饰符合岗位要求", ()),
        ("操作卫生规范", "用品消毒、手卫生符合要求", ()),
        ("信息录入准确", "系统与单据信息无误", _CHECKLIST),
        ("安全操作规范", "按安全操作规程", ()),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
    ),
    "design": (
        ("作品尺寸符合要求", "按赛题规定尺寸测量", ("误差 ≤ 1 cm", "误差 ≤ 3 cm", "误差 > 3 cm")),
        ("使用指定材料", "按赛题材料清单", ()),
        ("文件格式与命名规范", "按赛题要求提交", ()),
        ("全部元素完成", "按任务书逐项检查", _CHECKLIST),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
        ("工位整理与安全", "结束后恢复原状", ()),
    ),
    "lab": (
        ("测定结果准确度", "与标准值比较",
         ("相对误差 ≤ 0.5%", "相对误差 ≤ 1%", "相对误差 > 1%")),
        ("平行测定精密度", "两次平行结果相对偏差", ("≤ 0.2%", "≤ 0.5%", "> 0.5%")),
        ("仪器操作规范", "按操作规程", ()),
        ("实验记录完整", "原始记录无涂改、无漏项", ()),
        ("废液处理正确", "按规定分类处置", ()),
        ("在规定时间内完成", "按赛题规定时间", _TIME_TOLERANCE),
    ),
}

JUDGEMENT: dict[str, tuple[str, ...]] = {
    "mfg": ("整体工艺质量", "加工表面外观", "工作组织与效率", "问题分析思路", "装配美观程度",
            "工具使用熟练程度"),
    "auto": ("诊断思路清晰度", "维修工艺质量", "工作组织与效率", "与客户沟通", "整车外观恢复"),
    "build": ("整体外观效果", "细部处理工艺", "工作组织与效率", "材料利用", "线条与接缝观感"),
    "ict": ("方案设计合理性", "用户体验", "代码与配置规范", "文档可读性", "问题排查思路"),
    "care": ("沟通与人文关怀", "操作熟练程度", "尊重与隐私保护", "健康指导效果", "应变能力"),
    "food": ("成品外观与造型", "口感与风味", "创意与主题表达", "色泽与质地", "工艺精细程度"),
    "service": ("服务礼仪", "沟通与应变", "客户体验", "专业形象", "语言表达", "整体协调性"),
    "design": ("整体视觉效果", "创意与主题表达", "色彩搭配", "工艺精细程度", "构图与比例",
               "商业可用性"),
    "lab": ("实验方案合理性", "操作熟练程度", "结果分析与讨论", "报告表达", "安全意识"),
}

# How likely an aspect is a judgement (J) aspect, per family.
JUDGEMENT_SHARE = {
    "mfg": 0.25, "auto": 0.25, "build": 0.35, "ict": 0.3, "care": 0.5, "food": 0.55, "service": 0.5,
    "design": 0.6, "lab": 0.2,
}


def descriptors(subject: str) -> list[str]:
    """The four WorldSkills judgement descriptors (0–3) for one aspect."""
    return [
        f"{subject}低于行业标准，存在明显缺陷",
        f"{subject}达到行业标准",
        f"{subject}达到行业标准，并在部分方面超出",
        f"{subject}表现卓越，达到行业领先水平",
    ]
