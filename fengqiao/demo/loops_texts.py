"""The words of the demo's loops after dispatch: cases, transfers, support requests (pure, no Django).

What officers, departments and units write: case titles and decisions, how a case was
cleared, what a department did about a transferred matter or why it was not theirs, why
it needed more time, what a specialised unit was asked for and what it reported. No text
names a person or holds a number that could be an identity or phone number, so the texts
can be shown as they are.
"""

from __future__ import annotations

# -- cases ----------------------------------------------------------------------------------------

# The case's name after its place (南坪西路18号入室盗窃案), by category, else by family.
CASE_NAMES: dict[str, str] = {
    "criminal.theft": "盗窃案",
    "criminal.pickpocketing": "扒窃案",
    "criminal.burglary": "入室盗窃案",
    "criminal.theft_from_vehicle": "车内财物被盗案",
    "criminal.vehicle_theft": "电动车被盗案",
    "criminal.fraud": "诈骗案",
    "criminal.telecom_fraud": "电信网络诈骗案",
    "criminal.robbery": "抢劫案",
    "criminal.assault": "故意伤害案",
    "criminal.threat": "寻衅滋事案",
    "criminal.sexual": "强制猥亵案",
    "criminal.drugs": "贩卖毒品案",
    "public_order.fight": "殴打他人案",
    "public_order.drunk": "醉酒滋事案",
    "public_order.gambling": "聚众赌博案",
    "public_order.prostitution": "卖淫嫖娼案",
    "public_order.disturbance": "扰乱公共秩序案",
    "public_order.property_damage": "故意损毁财物案",
    "public_order.domestic_violence": "家庭暴力殴打他人案",
    "public_order.harassment": "发送信息干扰他人正常生活案",
    "traffic.drunk_driving": "醉酒驾驶机动车案",
    "traffic.hit_and_run": "交通肇事逃逸案",
    "tipoff.clue": "群众举报线索核查案",
    "tipoff.suspicious": "可疑情况核查案",
    "criminal": "刑事案",
    "public_order": "治安案",
    "traffic": "交通违法案",
    "tipoff": "线索核查案",
}

ACCEPT_TEXTS: tuple[str, ...] = (
    "受案登记，已制作受案登记表，开具受案回执。",
    "受案登记，已向报案人制作询问笔录，开具受案回执。",
    "受案登记，现场勘验材料已随案移交。",
)
FILE_TEXTS: tuple[str, ...] = (
    "经审查，有犯罪事实，需要追究刑事责任，报所领导审批后立案侦查。",
    "经初查，涉案金额已达立案标准，决定立案侦查。",
    "经审查符合立案条件，已制作立案决定书。",
)
NOT_FILED_REASONS: tuple[str, ...] = (
    "经审查，没有犯罪事实，不予立案，已告知报案人。",
    "涉案金额未达刑事立案标准，不予立案，转治安处理。",
    "系民事经济纠纷，不属刑事案件，告知当事人通过诉讼途径解决。",
    "报案人所称财物已找回，经核实无犯罪事实，不予立案。",
)
TERMINATE_REASONS: tuple[str, ...] = (
    "侦查期限届满，现有证据不能认定犯罪嫌疑人，经审批终止侦查。",
    "经侦查，不能认定有犯罪事实，依法撤销案件。",
    "经侦查，情节显著轻微、危害不大，不认为是犯罪，依法撤销案件。",
)
# Extending the time limit of a stage, by stage (machine.STAGE_*).
EXTEND_TEXTS: dict[str, tuple[str, ...]] = {
    "filing": (
        "案情需进一步调查核实，经所领导批准延长立案审查期限。",
        "需调取银行流水核实涉案金额，经批准延长立案审查期限。",
    ),
    "investigation": (
        "犯罪嫌疑人身份尚未查明，需继续侦查，经批准延长办案期限。",
        "涉案视频及物证仍在比对，经批准延长办案期限。",
        "需异地调查取证，经分局批准延长办案期限。",
    ),
    "handling": (
        "需等待伤情鉴定结果，经所领导批准延长办案期限。",
        "违法嫌疑人在逃，需继续查找，经批准延长办案期限。",
    ),
    "closing": (
        "案卷材料需补充完善，经批准延长结案期限。",
        "涉案财物尚待处理，经批准延长结案期限。",
    ),
}
# How a criminal case was cleared (Case.ClearedHow) → what the officer wrote.
CLEARED_NOTES: dict[str, tuple[str, ...]] = {
    "on_scene": ("民警到场后当场将犯罪嫌疑人抓获，已依法刑事拘留。", "群众协助将嫌疑人扭送，民警到场后带回审查，已刑事拘留。"),
    "investigation": ("经走访排查锁定犯罪嫌疑人，已于其住处将其抓获，对犯罪事实供认不讳。",
                      "经资金流查控锁定犯罪嫌疑人，已在外地将其抓获归案。"),
    "video": ("经调取周边监控视频追踪，锁定犯罪嫌疑人并将其抓获，追回部分涉案财物。",
              "通过视频轨迹追踪，在嫌疑人落脚点将其抓获，涉案财物已发还失主。"),
    "forensics": ("现场提取的指纹经比对认定犯罪嫌疑人，已将其抓获归案。", "现场提取的生物检材比中犯罪嫌疑人，已抓获归案。"),
    "informant": ("根据群众提供的线索，将犯罪嫌疑人抓获。",),
    "surrender": ("犯罪嫌疑人在家属陪同下到所投案自首，如实供述犯罪事实。",),
}
CRIMINAL_CLOSE_NOTES: tuple[str, ...] = (
    "侦查终结，已移送检察院审查起诉。",
    "犯罪嫌疑人已被取保候审，案件侦查终结，移送审查起诉。",
    "犯罪嫌疑人被批准逮捕，案件侦查终结，移送审查起诉。",
)
# An administrative case's decision (cleared_note), by category, else the family's.
DECISIONS: dict[str, tuple[str, ...]] = {
    "public_order.fight": ("依据《治安管理处罚法》第四十三条，对违法行为人处以行政拘留五日。",
                           "双方经调解达成协议并履行，依法不予处罚。",
                           "对违法行为人处以罚款三百元。"),
    "public_order.drunk": ("对醉酒滋事的违法行为人处以行政拘留三日。", "对违法行为人处以罚款二百元。"),
    "public_order.gambling": ("对参赌人员分别处以罚款五百元，收缴赌资。",),
    "public_order.prostitution": ("对违法行为人处以行政拘留十日并处罚款。",),
    "public_order.disturbance": ("对违法行为人处以行政拘留五日。", "对违法行为人予以警告。"),
    "public_order.property_damage": ("对违法行为人处以行政拘留五日，责令赔偿损失。", "双方调解达成协议，已赔偿损失。"),
    "public_order.domestic_violence": ("对加害人出具告诫书，并处以行政拘留五日。", "对加害人出具家庭暴力告诫书。"),
    "public_order.harassment": ("对违法行为人处以行政拘留五日。", "对违法行为人予以警告，并责令删除相关信息。"),
    "traffic": ("已移交交巡警部门依法处理。",),
    "tipoff": ("经核查线索属实，已对违法行为人依法处理。", "经核查未发现违法犯罪事实，已向举报人反馈。"),
    "public_order": ("对违法行为人处以罚款二百元。", "对违法行为人予以警告。"),
}
ADMINISTRATIVE_CLOSE_NOTES: tuple[str, ...] = (
    "处罚决定已执行，案件办结归档。",
    "处罚决定书已送达并执行完毕，案件办结。",
    "调解协议已履行，案件办结归档。",
)

# -- transfers ------------------------------------------------------------------------------------

PUSH_NOTES: tuple[str, ...] = (
    "请核实处置，并在时限内反馈处理结果。",
    "报警人反映问题属贵单位职责，请及时处置并反馈。",
)
RECEIVE_NOTES: tuple[str, ...] = ("已签收。", "已签收，安排人员前往核实。", "已签收，转相关科室办理。")
START_NOTES: tuple[str, ...] = ("执法人员已到场核实。", "已联系报警人了解情况。", "已安排工作人员现场处置。")
# What the department did (its result), by category.
RESULTS: dict[str, tuple[str, ...]] = {
    "non_police.noise": (
        "已约谈商户，噪音已整改，承诺晚十点后停止营业性音响。",
        "执法队员到场劝导，已停止夜间施工，并对施工单位立案调查。",
        "已对广场舞团队进行劝导，音量已调低并调整了活动时间。",
        "已上门告知住户，对方表示今后注意，不再深夜扰民。",
    ),
    "non_police.leak": (
        "已关闭阀门抢修，爆管已修复，恢复正常供水。",
        "已联系物业及楼上住户，渗漏点已找到并修复。",
    ),
    "non_police.smell": (
        "已对餐馆油烟净化设施进行检查，责令限期整改，已加装净化器。",
        "经现场检测，异味来源为露天焚烧垃圾，已制止并清理。",
    ),
    "non_police.parking": (
        "已联系车主将车辆挪走，消防通道已恢复畅通。",
        "已对违停车辆贴单处罚，并设置了禁停标识。",
        "执法队员到场，已拖移违停车辆。",
    ),
    "non_police.utilities": (
        "线路故障已抢修完毕，已恢复供电。",
        "管网维修已完成，已恢复供水，并在小区张贴了通知。",
        "已补装井盖，并设置警示标志。",
        "路灯已维修，恢复照明。",
    ),
    "non_police.market": (
        "已劝离占道经营摊贩，现场已恢复通行。",
        "已对商户缺斤少两行为立案调查，没收不合格计量器具。",
        "已责令商户将货架收回店内，不得出店经营。",
    ),
    "non_police.animal": (
        "已联系犬只收容机构将流浪犬收容。",
        "已联系专业人员摘除马蜂窝。",
        "已找到犬主，告知文明养犬规定，责令拴绳出行。",
    ),
    "non_police.construction": (
        "已对违章搭建下达限期拆除通知书，当事人已自行拆除。",
        "经现场核查未涉及承重结构，已责令停工并恢复原状。",
    ),
    "non_police.sanitation": (
        "已安排环卫车辆清运垃圾，现场已清理干净。",
        "已对乱倒建筑垃圾行为立案处罚，现场已清运。",
    ),
}
RESULT_DEFAULT: tuple[str, ...] = ("已按职责处置完毕，已回复报警人。", "已转相关单位办理，处理结果已告知报警人。")
# Why a department sent the matter back as not theirs, by category, else generic.
RETURN_REASONS: dict[str, tuple[str, ...]] = {
    "non_police.noise": ("经核实系社会生活噪声，不属我局职责范围，请转城市管理部门处理。",
                         "该噪声为商业经营活动噪声，不属生态环境部门管辖，请重新分派。"),
    "non_police.leak": ("经核实系市政供水管网爆管，属供水企业职责，请转供水服务中心。",
                        "该问题为住户室内管道渗漏，不属我委职责，请转相关单位处理。"),
    "non_police.market": ("该问题属计量及食品安全监管，不属城市管理职责，请转市场监管部门。",),
    "non_police.construction": ("经核实为违章搭建，属城市管理执法职责，请转城管部门。",),
    "non_police.utilities": ("经核实该故障不属我公司维护范围，请转相关单位处理。",),
}
RETURN_DEFAULT: tuple[str, ...] = ("经核实不属于本单位职责范围，请重新分派。",)
EXTENSION_REASONS: dict[str, tuple[str, ...]] = {
    "non_police.noise": ("需协调商户整改设备，申请延期反馈。", "需夜间蹲守取证，申请延期。"),
    "non_police.leak": ("需协调物业及产权单位，申请延期。", "维修需等待配件到货，申请延期。"),
    "non_police.construction": ("已立案调查，需履行告知程序，申请延期。", "需住建部门出具结构安全意见，申请延期。"),
    "non_police.market": ("需抽样送检，检测结果出具后反馈，申请延期。",),
    "non_police.utilities": ("抢修涉及道路开挖，需办理占道手续，申请延期。",),
}
EXTENSION_DEFAULT: tuple[str, ...] = ("涉及多个部门，需联合处置，申请延期反馈。", "需进一步调查核实，申请延期。")
# The station's chase of an overdue transfer: the ticker's, then the command room's.
CHASE_AUTOMATIC = "已超过办理时限，系统自动催办。"
CHASE_BY_PHONE: tuple[str, ...] = ("电话催办，对方称正在协调处理。", "电话催办，对方承诺尽快反馈处理结果。")
REDO_NOTES: tuple[str, ...] = ("回访报警人，称问题仍未解决，要求部门重新处理。",)
# The caller's answer when the command room confirmed (transfers.CallerAnswer) → what it noted.
CONFIRM_NOTES: dict[str, tuple[str, ...]] = {
    "satisfied": ("电话回访报警人，对处理结果表示满意。", "回访报警人，问题已解决，表示满意。"),
    "fairly": ("电话回访报警人，表示基本满意。",),
    "dissatisfied": ("回访报警人，对处理结果不满意，已做解释说明，建议其通过12345热线继续反映。",),
    "no_result": ("多次电话回访报警人，均未接通，按程序办结。",),
}

# -- support requests -----------------------------------------------------------------------------

# What the station asks for, by need (SupportRequest.Need).
SUPPORT_DETAILS: dict[str, tuple[str, ...]] = {
    "video": ("请协助调取案发时段周边公共视频，追踪嫌疑人逃离轨迹。",
              "请协助对案发地周边监控进行研判，确认涉案车辆去向。"),
    "trace": ("请协助对涉案手机号码及收款账户进行研判，查明资金流向并紧急止付。",
              "请协助查询涉案网络账号的实名信息及登录记录。"),
    "scene": ("请派技术人员到场勘查，提取指纹、足迹等痕迹物证。", "请派员到场进行现场勘验并拍照固定证据。"),
    "accident": ("请派员到场处置交通事故，进行现场勘查及责任认定。", "请协助查找肇事逃逸车辆。"),
    "armed": ("现场人员较多情绪激动，请派特警到场协助处置。", "需抓捕可能持械的嫌疑人，请派特警协助。"),
    "interview": ("请协助对犯罪嫌疑人进行讯问。",),
}
SUPPORT_ACCEPT_NOTES: tuple[str, ...] = ("已接收，马上安排。", "已接收，已安排人员按时到场。", "已接收，请保持联系。")
SUPPORT_START_NOTES: dict[str, tuple[str, ...]] = {
    "video": ("已开始调取视频。",), "trace": ("已开始研判。",), "scene": ("技术人员已到场开展勘查。",),
    "accident": ("已到达事故现场。",), "armed": ("特警已到场。",), "interview": ("已到达办案区。",),
}
SUPPORT_PROGRESS: dict[str, tuple[str, ...]] = {
    "video": ("已调取周边监控八段，正在逐段研判。",), "trace": ("已向运营商发函调取记录，等待回复。",),
    "scene": ("现场勘查进行中，已提取部分物证。",), "accident": ("现场测量完毕，正在调取行车记录。",),
    "armed": ("现场秩序基本控制。",), "interview": ("讯问进行中。",),
}
SUPPORT_REPORTS: dict[str, tuple[str, ...]] = {
    "video": ("已调取案发时段周边监控视频十二段，锁定嫌疑人行动轨迹，截图已移交办案民警。",
              "视频研判完毕，涉案车辆去向已查明，相关材料已移交。"),
    "trace": ("已对涉案号码及账户进行研判，资金流向已查明，相关账户已冻结止付。",
              "涉案网络账号实名信息已查明，材料已移交办案民警。"),
    "scene": ("已完成现场勘查，提取指纹二枚、足迹一处，已录入比对系统。", "现场勘验完毕，勘验笔录及照片已移交。"),
    "accident": ("已完成事故现场勘查，肇事车辆已查获，责任认定书将按期出具。",),
    "armed": ("特警四人到场协助处置，现场秩序已恢复，嫌疑人已控制带回。",),
    "interview": ("已协助完成讯问，笔录已移交办案民警。",),
}
DECLINE_REASONS: dict[str, tuple[str, ...]] = {
    "forensics": ("技术人员均在其他现场勘查，无法在要求时间内到场，请联系刑侦大队技术中队。",),
    "criminal_investigation": ("大队视频侦查人员均在专案中，请联系网安大队协助。",),
    "cyber": ("该请求不属网络侦查范围，请联系刑侦大队。",),
    "traffic": ("事故已由辖区中队处置完毕，无需再派员。",),
    "special": ("特警力量已全部调往大型活动安保，请联系刑侦大队。",),
}
REROUTE_NOTE = "原单位无法支援，改派至{unit}。"
SUPPORT_CHASE = "支援请求已超过时限，系统自动催办。"
